using System.Text;

namespace Totallator.Cli;

/// <summary>A plain-text table for people: a header, columns padded to their widest cell, long cells cut with an ellipsis.</summary>
internal sealed class Table(params string[] headers)
{
    private const int MaxCell = 60;
    private readonly List<string[]> _rows = [];

    public Table Add(params string?[] cells)
    {
        _rows.Add([.. cells.Select(c => Cut((c ?? "").ReplaceLineEndings(" ")))]);
        return this;
    }

    public void WriteTo(Terminal terminal)
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        terminal.Out(Line(headers, widths));
        foreach (var row in _rows)
        {
            terminal.Out(Line(row, widths));
        }
    }

    private static string Line(string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            line.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
        }
        return line.ToString().TrimEnd();
    }

    private static string Cut(string text) => text.Length <= MaxCell ? text : text[..(MaxCell - 1)] + "…";
}
