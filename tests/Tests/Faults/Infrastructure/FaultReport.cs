using Xunit.Abstractions;

namespace Totallator.Tests.Faults.Infrastructure;

/// <summary>
/// Each case's measured figures: to the test output and to artifacts/faults/figures.txt, which test.sh prints after the run
/// (dotnet test shows no output of passing tests).
/// </summary>
public sealed class FaultReport(ITestOutputHelper output, string faultCase)
{
    private static readonly Lock _fileLock = new();

    public static string FiguresFile { get; } = Path.Combine(LocalCluster.RepositoryRoot, "artifacts", "faults", "figures.txt");

    public void Figure(string text)
    {
        var line = $"[{faultCase}] {text}";
        output.WriteLine(line);
        lock (_fileLock)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FiguresFile)!);
            File.AppendAllText(FiguresFile, line + Environment.NewLine);
        }
    }
}
