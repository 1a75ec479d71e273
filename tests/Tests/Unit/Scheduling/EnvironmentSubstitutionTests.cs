using Totallator.Grains.Scheduling;

namespace Totallator.Tests.Unit.Scheduling;

/// <summary>
/// <see cref="EnvironmentSubstitution.TryResolve"/> against a dictionary, never the real environment, so tests cannot
/// see (or be broken by) whatever the machine happens to have set.
/// </summary>
[Trait("Category", "Unit")]
public sealed class EnvironmentSubstitutionTests
{
    private static readonly Dictionary<string, string?> Variables = new(StringComparer.Ordinal)
    {
        ["MINUTE"] = "15",
        ["HOUR"] = "9",
        ["EMPTY"] = "",
        ["_UNDER_1"] = "u1",
    };

    private static string Resolve(string text)
    {
        var ok = EnvironmentSubstitution.TryResolve(text, Variables.GetValueOrDefault, out var resolved, out _, out var error);
        Assert.True(ok, $"'{text}' should resolve, but TryResolve said: {error}");
        Assert.Null(error);
        return resolved;
    }

    private static string ResolveError(string text)
    {
        var ok = EnvironmentSubstitution.TryResolve(text, Variables.GetValueOrDefault, out var resolved, out _, out var error);
        Assert.False(ok, $"'{text}' should be rejected, but it resolved to '{resolved}'.");
        Assert.Equal("", resolved);
        Assert.NotNull(error);
        return error;
    }

    [Fact]
    public void TryResolve_ReturnsTextUnchanged_WhenThereAreNoReferences()
    {
        Assert.Equal("*/5 * * * * *", Resolve("*/5 * * * * *"));
    }

    [Fact]
    public void TryResolve_ReplacesReference_WhenVariableIsSet()
    {
        Assert.Equal("15 * * * *", Resolve("${MINUTE} * * * *"));
    }

    [Fact]
    public void TryResolve_IgnoresDefault_WhenVariableIsSet()
    {
        Assert.Equal("15 * * * *", Resolve("${MINUTE:-0} * * * *"));
    }

    [Theory]
    [InlineData("${UNSET:-*/5} * * * * *", "*/5 * * * * *")] // unset
    [InlineData("${EMPTY:-*/5} * * * * *", "*/5 * * * * *")] // set but empty counts as unset
    [InlineData("${UNSET:-} * * * * *", " * * * * *")] // an empty default is still a default
    public void TryResolve_UsesDefault_WhenVariableIsUnsetOrEmpty(string text, string expected)
    {
        Assert.Equal(expected, Resolve(text));
    }

    [Fact]
    public void TryResolve_ReplacesEveryReference_WhenSeveralInOneString()
    {
        Assert.Equal("0 15 9 * * 1-5", Resolve("0 ${MINUTE} ${HOUR} * * ${DAYS:-1-5}"));
    }

    [Fact]
    public void TryResolve_AcceptsUnderscoresAndDigits_WhenNameStartsWithUnderscore()
    {
        Assert.Equal("u1", Resolve("${_UNDER_1}"));
    }

    [Fact]
    public void TryResolve_LeavesDollarAlone_WhenNotFollowedByBrace()
    {
        Assert.Equal("$MINUTE {HOUR}", Resolve("$MINUTE {HOUR}"));
    }

    [Theory]
    [InlineData("${UNSET} * * * *")]
    [InlineData("${EMPTY} * * * *")]
    public void TryResolve_FailsNamingVariable_WhenUnsetOrEmptyWithoutDefault(string text)
    {
        var name = text[2..text.IndexOf('}', StringComparison.Ordinal)];

        var error = ResolveError(text);

        Assert.Contains($"Environment variable '{name}' is not set and has no default", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("${MINUTE * * * *", 0)]
    [InlineData("0 ${HOUR:-9 * * *", 2)]
    [InlineData("${MINUTE} ${", 10)]
    public void TryResolve_FailsAsUnterminated_WhenBraceIsNeverClosed(string text, int position)
    {
        var error = ResolveError(text);

        Assert.Contains($"Unterminated '${{' at position {position}", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("${} * * * *", "")]
    [InlineData("${1ABC} * * * *", "1ABC")]
    [InlineData("${MY-VAR} * * * *", "MY-VAR")]
    [InlineData("${MY VAR} * * * *", "MY VAR")]
    [InlineData("${:-5} * * * *", "")]
    [InlineData("${MINUTE:5} * * * *", "MINUTE:5")]
    public void TryResolve_FailsNamingTheName_WhenNameIsInvalid(string text, string name)
    {
        var error = ResolveError(text);

        Assert.Contains($"'{name}' is not a valid environment variable name", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryResolve_DoesNotLookUp_WhenNameIsInvalid()
    {
        var lookups = new List<string>();

        EnvironmentSubstitution.TryResolve("${BAD-NAME}", name => { lookups.Add(name); return "x"; }, out _, out _, out _);

        Assert.True(lookups.Count == 0, $"An invalid name must be rejected before any lookup, but these were looked up: {string.Join(", ", lookups)}.");
    }

    [Fact]
    public void TryResolve_NamesTheVariablesWhoseValuesItUsed_NotThoseReplacedByTheirDefault()
    {
        Assert.True(EnvironmentSubstitution.TryResolve("${MINUTE} ${UNSET:-3} ${EMPTY:-*} ${HOUR:-1} *", Variables.GetValueOrDefault,
            out var resolved, out var substituted, out _));

        Assert.Equal("15 3 * 9 *", resolved);
        Assert.Equal(["MINUTE", "HOUR"], substituted);
    }
}
