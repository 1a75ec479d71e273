namespace Totallator.Cli;

/// <summary>
/// Everything the command line prints goes through here, so that the caller's API key is replaced by <c>***</c> wherever it
/// would appear: in a message from the network stack, in an answer echoing input, in a verbose trace.
/// </summary>
internal sealed class Terminal(TextWriter output, TextWriter error)
{
    private const string Mask = "***";
    private readonly List<string> _secrets = [];

    /// <summary>Adds a value never to print (short values are left alone: masking "a" everywhere would garble every line).</summary>
    public void Hide(string? secret)
    {
        if (secret is { Length: >= 8 } && !_secrets.Contains(secret))
        {
            _secrets.Add(secret);
        }
    }

    public void Out(string line) => output.WriteLine(Redact(line));

    /// <summary>Text as it is (a run's output), without a line added at the end.</summary>
    public void OutRaw(string text) => output.Write(Redact(text));

    public void Error(string line) => error.WriteLine(Redact(line));

    public string Redact(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }
        return text;
    }
}
