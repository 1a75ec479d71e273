using System.CommandLine;
using Totallator.Client;

namespace Totallator.Cli;

/// <summary><c>totallator audit</c>: who changed what, newest first.</summary>
internal static class AuditCommand
{
    public static Command Build(Runner runner)
    {
        var job = new Option<string?>("--job") { Description = "Rows about this job." };
        var actor = new Option<string?>("--actor") { Description = "Rows by this user or key name." };
        var action = new Option<string?>("--action") { Description = "Rows of this action, e.g. job.update, job.trigger, settings.update, apikey.create." };
        var since = new Option<string?>("--since") { Description = "Rows at or after: ISO 8601, or a duration back from now (2h)." };
        var limit = Arguments.Limit(20, 500);
        var command = new Command("audit", "The audit trail: who changed what and when, newest first.") { job, actor, action, since, limit };
        command.SetAction(runner.Action(async c =>
        {
            var page = await c.Client.ListAuditAsync(new AuditQuery
            {
                JobSlug = c.Get(job), Actor = c.Get(actor), Action = c.Get(action), From = Arguments.Since("--since", c.Get(since)), Limit = c.Get(limit),
            }, c.CancellationToken);
            return c.Print(page, p =>
            {
                var table = new Table("AT", "ACTOR", "ACTION", "JOB", "TARGET", "REQUEST ID");
                foreach (var row in p.Items)
                {
                    table.Add(Format.Time(row.At), row.Actor, row.Action, row.JobSlug ?? "-", row.Target ?? "-", row.RequestId ?? "-");
                }
                table.WriteTo(c.Terminal);
            });
        }));
        return command;
    }
}
