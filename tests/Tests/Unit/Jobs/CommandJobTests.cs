using System.Diagnostics;
using System.Globalization;
using Totallator.Grains.Jobs.Command;

namespace Totallator.Tests.Unit.Jobs;

/// <summary>Runs real processes through <see cref="CommandJob"/>; nothing is faked.</summary>
[Trait("Category", "Unit")]
public sealed class CommandJobTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static CommandJob Shell(string script, int maxOutputBytes = CommandJobOptions.DefaultMaxOutputBytes, string? workingDirectory = null)
    {
        var options = new CommandJobOptions { Command = "/bin/sh", MaxOutputBytes = maxOutputBytes, WorkingDirectory = workingDirectory };
        options.Arguments.Add("-c");
        options.Arguments.Add(script);
        return new CommandJob(options);
    }

    [Fact]
    public async Task ExecuteAsync_CapturesStdoutAndStderr_WhenCommandWritesToBoth()
    {
        var result = await Shell("echo out; echo err >&2").ExecuteAsync(TestJobContext.Create());

        Assert.True(result.Success, result.Message);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("out\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("err\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_GivesTheCommandItsOccurrenceInTheEnvironment()
    {
        var context = TestJobContext.Create();

        var result = await Shell("echo \"$TOTALLATOR_JOB|$TOTALLATOR_EXECUTION_ID|$TOTALLATOR_OCCURRENCE_KEY|$TOTALLATOR_SCHEDULED_FOR|$TOTALLATOR_RETRY_COUNT|$TOTALLATOR_TRIGGERED_BY\"")
            .ExecuteAsync(context);

        Assert.True(result.Success, result.Message);
        Assert.Equal($"test-job|{context.ExecutionId}|{context.OccurrenceKey}|1970-01-01T00:00:00.0000000Z|0|manual\n", result.Output);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(3, false)]
    public async Task ExecuteAsync_SucceedsOnlyOnExitCodeZero(int exitCode, bool success)
    {
        var result = await Shell($"exit {exitCode}").ExecuteAsync(TestJobContext.Create());

        Assert.Equal(success, result.Success);
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal($"Command exited with code {exitCode}", result.Message);
    }

    [Fact]
    public async Task ExecuteAsync_KeepsHeadAndTailWithMarker_WhenOutputExceedsTheLimit()
    {
        // 1..2000, one per line: 9×2 + 90×3 + 900×4 + 1001×5 = 8893 bytes, so 8893 - 1024 are dropped.
        var result = await Shell("i=1; while [ $i -le 2000 ]; do echo $i; i=$((i+1)); done", maxOutputBytes: 1024)
            .ExecuteAsync(TestJobContext.Create());

        Assert.True(result.Success, result.Message);
        Assert.StartsWith("1\n2\n3\n", result.Output, StringComparison.Ordinal);
        Assert.EndsWith("1999\n2000\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("\n[... 7869 bytes of output dropped ...]\n", result.Output, StringComparison.Ordinal);
        Assert.Equal(8893, result.Metrics["outputBytes"]);
    }

    [Fact]
    public async Task ExecuteAsync_FailsWithClearMessage_WhenExecutableIsNotFound()
    {
        var job = new CommandJob(new CommandJobOptions { Command = "/nonexistent/totallator-no-such-command" });

        var result = await job.ExecuteAsync(TestJobContext.Create());

        Assert.False(result.Success);
        Assert.Null(result.ExitCode);
        Assert.Contains("'/nonexistent/totallator-no-such-command' could not be started", result.Message, StringComparison.Ordinal);
        Assert.Contains("No such file or directory", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_KillsTheWholeProcessTreeAndThrows_WhenCancelled()
    {
        var childPidFile = _temp.Combine("child.pid");
        var shellPidFile = _temp.Combine("shell.pid");
        var job = Shell($"sleep 300 & echo $! > {childPidFile}; echo $$ > {shellPidFile}; wait");
        using var cts = new CancellationTokenSource();
        var stopwatch = Stopwatch.StartNew();

        var run = job.ExecuteAsync(TestJobContext.Create(cancellationToken: cts.Token));
        var shellPid = await ReadPidAsync(shellPidFile);
        var childPid = await ReadPidAsync(childPidFile);
        Assert.True(ProcFs.IsAlive(childPid), "the background sleep should be running before the cancel");
        await Task.Delay(TimeSpan.FromSeconds(1));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"the run should end soon after the cancel, not when sleep 300 ends; took {stopwatch.Elapsed}");
        Assert.True(await ProcFs.WaitUntilGoneAsync(shellPid, TimeSpan.FromSeconds(5)), $"the shell (pid {shellPid}) should be killed on cancel");
        Assert.True(await ProcFs.WaitUntilGoneAsync(childPid, TimeSpan.FromSeconds(5)), $"the shell's child sleep (pid {childPid}) should be killed with it");
    }

    [Fact]
    public async Task ExecuteAsync_ReportsChildCpuAndPeakMemory_ForABusyCommand()
    {
        var result = await Shell("i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done").ExecuteAsync(TestJobContext.Create());

        Assert.True(result.Success, result.Message);
        Assert.NotNull(result.CpuUsagePercent);
        Assert.InRange(result.CpuUsagePercent.Value, 0.01, 400);
        Assert.NotNull(result.MemoryUsageMb);
        // A shell's peak resident set is a few MB; anything in (0, 1 GB) shows the figure is the child's, in MB.
        Assert.InRange(result.MemoryUsageMb.Value, 0.1, 1024);
    }

    [Fact]
    public async Task ExecuteAsync_GivesTheCommandAnEmptyStdin()
    {
        var run = Shell("cat; echo after-cat").ExecuteAsync(TestJobContext.Create());

        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result.Success, result.Message);
        Assert.Equal("after-cat\n", result.Output);
    }

    [Fact]
    public async Task ExecuteAsync_PassesEachArgumentVerbatim_WithoutAShell()
    {
        var options = new CommandJobOptions { Command = "/bin/sh" };
        foreach (var argument in new[] { "-c", "printf '%s|' \"$@\"", "sh", "a b", "$HOME", "'q'", "*" })
        {
            options.Arguments.Add(argument);
        }

        var result = await new CommandJob(options).ExecuteAsync(TestJobContext.Create());

        Assert.Equal("a b|$HOME|'q'|*|", result.Output);
    }

    [Fact]
    public async Task ExecuteAsync_RunsInTheWorkingDirectory_WhenOneIsSet()
    {
        var result = await Shell("pwd", workingDirectory: _temp.Path).ExecuteAsync(TestJobContext.Create());

        Assert.Equal(_temp.Path + "\n", result.Output);
    }

    [Fact]
    public async Task ExecuteAsync_Returns_WhenABackgroundProcessKeepsTheOutputOpen()
    {
        var pidFile = _temp.Combine("background.pid");
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var result = await Shell($"sleep 60 & echo $! > {pidFile}; echo started").ExecuteAsync(TestJobContext.Create())
                .WaitAsync(TimeSpan.FromSeconds(30));

            Assert.True(result.Success, result.Message);
            Assert.StartsWith("started\n", result.Output, StringComparison.Ordinal);
            Assert.Contains("still holds its output open", result.Output, StringComparison.Ordinal);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"should stop reading shortly after the shell exits; took {stopwatch.Elapsed}");
        }
        finally
        {
            if (File.Exists(pidFile))
            {
                using var background = Process.GetProcessById(await ReadPidAsync(pidFile));
                background.Kill();
            }
        }
    }

    private static async Task<int> ReadPidAsync(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (File.Exists(path) && int.TryParse((await File.ReadAllTextAsync(path)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return pid;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the command should have written its pid to {path} within 10 s");
            await Task.Delay(20);
        }
    }
}
