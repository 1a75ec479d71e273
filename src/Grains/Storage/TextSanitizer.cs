using System.Globalization;
using System.Text;

namespace Totallator.Grains.Storage;

/// <summary>
/// Makes text storable in a PostgreSQL <c>text</c> or <c>jsonb</c> column. Two things a .NET string can hold are refused there
/// and would fail the whole statement the row is written in: a NUL character (<c>find -print0</c>, <c>printf 'a\0b'</c>), and
/// half a surrogate pair (text cut between the two halves, or a job that built one), which UTF-8 cannot encode. Pure; used where
/// text is produced (an attempt's outcome, job definitions), not in the stores, so what is stored is what an admin reads.
/// </summary>
public static class TextSanitizer
{
    /// <summary>Stands in for a NUL: visible, and says what was there (U+2400 SYMBOL FOR NULL).</summary>
    public const char NulStandIn = '\u2400';

    /// <summary>Stands in for half a surrogate pair, as a UTF-8 decoder does for bytes it cannot read (U+FFFD).</summary>
    public const char BrokenStandIn = '\uFFFD';

    private const string TruncatedMarker = "\n… [truncated]";

    /// <summary>True when the database can store <paramref name="text"/> as it is (null is storable).</summary>
    public static bool IsStorable(string? text) => text is null || Count(text) == (0, 0);

    /// <summary>The text with every NUL and broken surrogate replaced, and nothing else changed; null stays null.</summary>
    public static string? Replace(string? text) => text is null || IsStorable(text) ? text : ReplaceCore(text);

    /// <summary>
    /// <see cref="Replace"/>, with a last line noting what was replaced, so a reader knows the text is not exactly what was
    /// produced (e.g. that the ␀ in the output of <c>find -print0</c> were NUL separators).
    /// </summary>
    public static string? Clean(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var (nuls, broken) = Count(text);
        if (nuls == 0 && broken == 0)
        {
            return text;
        }
        var parts = new List<string>(2);
        if (nuls > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{nuls} NUL character{(nuls == 1 ? "" : "s")} shown as {NulStandIn}"));
        }
        if (broken > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{broken} half surrogate pair{(broken == 1 ? "" : "s")} shown as {BrokenStandIn}"));
        }
        var cleaned = ReplaceCore(text);
        var separator = cleaned.Length == 0 || cleaned[^1] == '\n' ? "" : "\n";
        return $"{cleaned}{separator}[{string.Join(" and ", parts)}: the database cannot store them]";
    }

    /// <summary>
    /// At most <paramref name="maxLength"/> characters of <paramref name="text"/> and a marker when it was longer. Never cuts a
    /// surrogate pair in half: a cut there would leave text the database cannot store.
    /// </summary>
    public static string? Bound(string? text, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (text is null || text.Length <= maxLength)
        {
            return text;
        }
        var cut = char.IsHighSurrogate(text[maxLength - 1]) && char.IsLowSurrogate(text[maxLength]) ? maxLength - 1 : maxLength;
        return string.Concat(text.AsSpan(0, cut), TruncatedMarker);
    }

    private static (int Nuls, int Broken) Count(string text)
    {
        var (_, nuls, broken) = Walk(text, replace: false);
        return (nuls, broken);
    }

    private static string ReplaceCore(string text) => Walk(text, replace: true).Replaced!;

    /// <summary>One pass that counts NULs and broken surrogates and, when asked, builds the text with them replaced.</summary>
    private static (string? Replaced, int Nuls, int Broken) Walk(string text, bool replace)
    {
        var result = replace ? new StringBuilder(text.Length) : null;
        var nuls = 0;
        var broken = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                nuls++;
                result?.Append(NulStandIn);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                result?.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                broken++;
                result?.Append(BrokenStandIn);
            }
            else
            {
                result?.Append(c);
            }
        }
        return (result?.ToString(), nuls, broken);
    }
}
