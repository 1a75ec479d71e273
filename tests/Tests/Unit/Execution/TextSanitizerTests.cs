using System.Text;
using System.Text.RegularExpressions;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Unit.Execution;

[Trait("Category", "Unit")]
public sealed class TextSanitizerTests
{
    /// <summary>What Npgsql does with a .NET string: strict UTF-8, which throws on half a surrogate pair.</summary>
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [Fact]
    public void Clean_ReplacesNulsAndHalfSurrogates_AndSaysSo()
    {
        var cleaned = TextSanitizer.Clean("a\0b\0c \uD83D");

        Assert.Equal("a\u2400b\u2400c \uFFFD\n[2 NUL characters shown as \u2400 and 1 half surrogate pair shown as \uFFFD: the database cannot store them]", cleaned);
        Assert.DoesNotContain('\0', cleaned!);
        Strict.GetBytes(cleaned!);
    }

    [Fact]
    public void Clean_LeavesStorableTextAlone_WholePairsIncluded()
    {
        const string text = "héllo 😀 wörld\n";
        Assert.Same(text, TextSanitizer.Clean(text));
        Assert.Null(TextSanitizer.Clean(null));
    }

    [Theory]
    [InlineData("plain", true)]
    [InlineData("pair 😀", true)]
    [InlineData("", true)]
    [InlineData("nul \0", false)]
    // Escaped: an attribute stores its strings as UTF-8, which cannot carry half a pair either.
    [InlineData(@"\uDE00 low first", false)]
    [InlineData(@"high last \uD83D", false)]
    [InlineData(@"reversed \uDE00\uD83D", false)]
    public void IsStorable_RefusesNulAndHalfPairs(string escaped, bool storable)
    {
        var text = Regex.Unescape(escaped);
        Assert.Equal(storable, TextSanitizer.IsStorable(text));
        Assert.True(TextSanitizer.IsStorable(TextSanitizer.Replace(text)));
    }

    [Fact]
    public void Replace_ChangesOnlyWhatCannotBeStored_WithoutANote()
    {
        Assert.Equal("user\u2400x\uFFFD", TextSanitizer.Replace("user\0x\uDE00"));
    }

    [Theory]
    [InlineData(3, "ab\n… [truncated]")]   // the pair would be cut: it goes whole
    [InlineData(4, "ab😀\n… [truncated]")]
    [InlineData(2, "ab\n… [truncated]")]
    [InlineData(6, "ab😀cd")]
    public void Bound_NeverCutsASurrogatePairInHalf(int maxLength, string expected)
    {
        var bounded = TextSanitizer.Bound("ab😀cd", maxLength);
        Assert.Equal(expected, bounded);
        Assert.True(TextSanitizer.IsStorable(bounded));
    }
}
