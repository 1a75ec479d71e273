using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Totallator.Client;

namespace Totallator.Cli;

/// <summary><c>totallator config get [NAME]</c>, <c>config set NAME VALUE</c>, <c>pause</c>, <c>resume</c>: the global settings.</summary>
internal static class ConfigCommands
{
    /// <summary>The settings by their JSON names, each with how a value is read from the command line into a change.</summary>
    private static readonly (string Name, Func<string, GlobalSettingsChange> Change)[] Settings =
    [
        ("historyRetentionDays", v => new() { HistoryRetentionDays = Int("historyRetentionDays", v) }),
        ("auditRetentionDays", v => new() { AuditRetentionDays = Int("auditRetentionDays", v) }),
        ("defaultTimeZone", v => new() { DefaultTimeZone = v }),
        ("defaultTimeoutMs", v => new() { DefaultTimeoutMs = Int("defaultTimeoutMs", v) }),
        ("defaultMaxRetries", v => new() { DefaultMaxRetries = Int("defaultMaxRetries", v) }),
        ("defaultMisfirePolicy", v => new() { DefaultMisfirePolicy = Arguments.Enums<MisfirePolicy>("defaultMisfirePolicy", [v])![0] }),
        ("schedulingPaused", v => new() { SchedulingPaused = bool.TryParse(v, out var b) ? b : throw new UsageException($"schedulingPaused takes true or false; got '{v}'.") }),
    ];

    public static Command Build(Runner runner) => new("config", "Read or change the global settings.") { Get(runner), Set(runner) };

    private static Command Get(Runner runner)
    {
        var name = new Argument<string?>("name") { Description = "One setting (e.g. history-retention-days); all when left out.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("get", "The global settings, or one of them.") { name };
        command.SetAction(runner.Action(async c =>
        {
            var settings = await c.Client.GetSettingsAsync(c.CancellationToken);
            var all = JsonSerializer.SerializeToElement(settings, TotallatorJson.Options);
            if (c.Parse.GetValue(name) is not { } wanted)
            {
                return c.Print(settings, _ =>
                {
                    var table = new Table("SETTING", "VALUE");
                    foreach (var property in all.EnumerateObject())
                    {
                        table.Add(property.Name, Text(property.Value));
                    }
                    table.WriteTo(c.Terminal);
                });
            }
            var match = all.EnumerateObject().FirstOrDefault(p => Arguments.Loose(p.Name) == Arguments.Loose(wanted));
            if (match.Value.ValueKind == JsonValueKind.Undefined)
            {
                throw new UsageException($"No setting '{wanted}'; there are {string.Join(", ", all.EnumerateObject().Select(p => p.Name))}.");
            }
            return c.Print(match.Value, v => c.Terminal.Out(Text(v)));
        }));
        return command;
    }

    private static Command Set(Runner runner)
    {
        var name = new Argument<string>("name") { Description = $"The setting: {string.Join(", ", Settings.Select(s => s.Name))} (or kebab-case)." };
        var value = new Argument<string>("value") { Description = "Its new value." };
        var command = new Command("set", "Changes one global setting (admin). Audited.") { name, value };
        command.SetAction(runner.Action(async c =>
        {
            var wanted = c.Get(name);
            var setting = Settings.FirstOrDefault(s => Arguments.Loose(s.Name) == Arguments.Loose(wanted));
            if (setting.Name is null)
            {
                throw new UsageException($"No setting '{wanted}' to set; use one of {string.Join(", ", Settings.Select(s => s.Name))}.");
            }
            var settings = await c.Client.UpdateSettingsAsync(setting.Change(c.Get(value)), c.CancellationToken);
            var now = JsonSerializer.SerializeToElement(settings, TotallatorJson.Options).GetProperty(setting.Name);
            return c.Print(settings, _ => c.Terminal.Out($"{setting.Name} = {Text(now)}"));
        }));
        return command;
    }

    public static Command Pause(Runner runner)
    {
        var command = new Command("pause", "Pauses every job's schedule (admin): occurrences are recorded as skipped until 'resume'; manual triggers still run.");
        command.SetAction(runner.Action(async c => c.Print(await c.Client.PauseSchedulingAsync(c.CancellationToken), _ =>
            c.Terminal.Out("Scheduling paused: scheduled occurrences are recorded as skipped until 'totallator resume'. Manual triggers still run."))));
        return command;
    }

    public static Command Resume(Runner runner)
    {
        var command = new Command("resume", "Resumes the schedules paused with 'pause' (admin).");
        command.SetAction(runner.Action(async c => c.Print(await c.Client.ResumeSchedulingAsync(c.CancellationToken), _ =>
            c.Terminal.Out("Scheduling resumed."))));
        return command;
    }

    private static int Int(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : throw new UsageException($"{name} takes a whole number; got '{value}'.");

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => "-",
        _ => value.GetRawText(),
    };
}
