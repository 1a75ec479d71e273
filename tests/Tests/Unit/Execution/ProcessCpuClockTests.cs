using System.Diagnostics;
using Totallator.Grains.Execution;

namespace Totallator.Tests.Unit.Execution;

[Trait("Category", "Unit")]
public sealed class ProcessCpuClockTests
{
    private static long After(long timestamp, TimeSpan span) => timestamp + (long)(span.TotalSeconds * Stopwatch.Frequency);

    [Fact]
    public void PercentBetween_DividesByTheTimeBetweenReadings_NotByTheRun()
    {
        var t0 = Stopwatch.GetTimestamp();
        var start = new ProcessCpuClock.Reading(t0, TimeSpan.FromSeconds(10));
        var end = new ProcessCpuClock.Reading(After(t0, TimeSpan.FromSeconds(2)), TimeSpan.FromSeconds(11));

        Assert.Equal(50.0, ProcessCpuClock.PercentBetween(start, end, TimeSpan.FromMilliseconds(100))!.Value, 3);
    }

    [Fact]
    public void PercentBetween_IsNull_WhenReadingsAreTooClose()
    {
        var t0 = Stopwatch.GetTimestamp();
        var start = new ProcessCpuClock.Reading(t0, TimeSpan.Zero);
        var end = new ProcessCpuClock.Reading(After(t0, TimeSpan.FromMilliseconds(50)), TimeSpan.FromMilliseconds(40));

        Assert.Null(ProcessCpuClock.PercentBetween(start, end, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void PercentBetween_IsCappedAtAllCores()
    {
        var t0 = Stopwatch.GetTimestamp();
        var start = new ProcessCpuClock.Reading(t0, TimeSpan.Zero);
        var end = new ProcessCpuClock.Reading(After(t0, TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(1000));

        Assert.Equal(100.0 * Environment.ProcessorCount, ProcessCpuClock.PercentBetween(start, end, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void Recent_ReadsAfresh_WhenTheLatestSampleIsTooOld()
    {
        var before = Stopwatch.GetTimestamp();
        var reading = ProcessCpuClock.Recent(TimeSpan.Zero);
        Assert.True(reading.Timestamp >= before, "a zero max age must give a reading taken now");
        Assert.True(reading.Cpu > TimeSpan.Zero);
    }
}
