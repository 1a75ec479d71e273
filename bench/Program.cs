using Totallator.Bench;
using Totallator.Bench.Compare;

// Totallator.Bench, the load harness of issue 3. One executable, two roles:
//   silo    a child process: one production-shaped silo on PostgreSQL with N no-op jobs   SiloRole.cs, NoopJob.cs
//   quartz-node, hangfire-node   --compare's child processes: a clustered Quartz / Hangfire node   Compare/
//   driver  the default: per configuration (Configurations.cs) a fresh database (BenchDatabase.cs), S silo processes
//           (SiloCluster.cs), the measurements (Measurements/, ProcessStats.cs), one JSON line each and a table (Report.cs).
// --compare runs one workload against Totallator, Quartz and Hangfire with one recorder (Compare/CompareDriver.cs).
// Usage and options: CommandLine.cs (`--help`). Progress goes to stderr (Progress.cs), figures to stdout.
if (args.Length > 0 && args[0] == SiloArguments.Verb)
{
    if (!SiloArguments.TryParse(args.AsSpan(1), out var silo, out var siloError))
    {
        await Console.Error.WriteLineAsync($"silo role: {siloError}");
        return 2;
    }
    return await SiloRole.RunAsync(silo);
}

// --compare's Quartz and Hangfire nodes: child processes like silos (bench/Compare/).
if (args.Length > 0 && args[0] is NodeArguments.QuartzVerb or NodeArguments.HangfireVerb)
{
    if (!NodeArguments.TryParse(args[0], args.AsSpan(1), out var node, out var nodeError))
    {
        await Console.Error.WriteLineAsync($"{args[0]} role: {nodeError}");
        return 2;
    }
    return node.Verb == NodeArguments.QuartzVerb ? await QuartzNode.RunAsync(node) : await HangfireNode.RunAsync(node);
}

if (args.Length > 0 && args[0] == RollupCost.Verb)
{
    return await RollupCost.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == AdminReadCost.Verb)
{
    return await AdminReadCost.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == LiveFeedCost.Verb)
{
    return await LiveFeedCost.RunAsync(args[1..]);
}

if (!DriverOptions.TryParse(args, out var options, out var error))
{
    await Console.Error.WriteLineAsync(error);
    await Console.Error.WriteLineAsync();
    await Console.Error.WriteLineAsync(DriverOptions.Usage);
    return 2;
}
// Not a cluster run: the history at volume before and after its partitioning (HistoryCost.cs).
if (options.Only.Contains(HistoryCost.Name))
{
    return await HistoryCost.RunAsync();
}
if (options.ShowHelp)
{
    Console.WriteLine(DriverOptions.Usage);
    return 0;
}
return options.Compare ? await CompareDriver.RunAsync(options) : await Driver.RunAsync(options);
