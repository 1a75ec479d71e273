using Totallator.Cli;

using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C cancels the request in flight (exit 130); a second one ends the process at once.
    e.Cancel = !interrupt.IsCancellationRequested;
    interrupt.Cancel();
};
return await CliApp.RunAsync(args, Console.Out, Console.Error, CliEnvironment.FromProcess(), interrupt.Token);
