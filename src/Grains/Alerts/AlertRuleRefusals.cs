using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Alerts;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Alerts;

/// <summary>The refusals of a rule change, worded once for both stores (they pass the same contract tests).</summary>
internal static class AlertRuleRefusals
{
    public static JobConflictException NameTaken(string name) =>
        new($"An alert rule named '{name}' already exists; choose another name.") { Field = "name" };

    public static AlertRuleNotFoundException NotFound(string name) => new($"No alert rule named '{name}'.");

    public static AlertRuleConflictException StaleVersion(string name, int current, int? had) =>
        new($"Alert rule '{name}' was changed by someone else (version {current}, you had {had}). Reload it and try again.");

    public static InvalidAdminInputException Configured(string name) =>
        new($"Alert rule '{name}' comes from configuration (Cron:Alerts:Rules:{name}); change it there.") { Field = "name" };

    /// <summary>A silo does not start with a rule in configuration whose name a rule made in the pages holds.</summary>
    public static InvalidOperationException ConfigurationClash(string name) =>
        new($"Alert rule '{name}' is defined in configuration (Cron:Alerts:Rules:{name}), but an admin made a rule of that name in the pages. Rename one of them.");
}
