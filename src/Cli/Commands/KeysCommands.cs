using System.CommandLine;
using Totallator.Client;

namespace Totallator.Cli;

/// <summary><c>totallator keys create|list|revoke</c>: API keys (admin).</summary>
internal static class KeysCommands
{
    public static Command Build(Runner runner) => new("keys", "Create, list and revoke API keys (admin).") { Create(runner), List(runner), Revoke(runner) };

    private static Command Create(Runner runner)
    {
        var name = new Argument<string>("name") { Description = "The key's name (letters, digits, '.', '-', '_', space; at most 100)." };
        var role = new Option<AdminRole>("--role") { Description = "viewer, operator or admin.", Required = true };
        var command = new Command("create", "Creates a key and prints it, this once: store it now.") { name, role };
        command.SetAction(runner.Action(async c => c.Print(await c.Client.CreateApiKeyAsync(c.Get(name), c.Get(role), c.CancellationToken), key =>
        {
            // The new key on stdout alone, so that `KEY=$(totallator keys create ...)` captures it; the rest on stderr.
            c.Terminal.Out(key.Key);
            c.Terminal.Error($"Created {key.Role} key '{key.Name}' ({key.Id}). It is shown this once; store it now.");
        })));
        return command;
    }

    private static Command List(Runner runner)
    {
        var command = new Command("list", "Every key, revoked ones included; never the keys themselves.");
        command.SetAction(runner.Action(async c => c.Print(await c.Client.ListApiKeysAsync(c.CancellationToken), keys =>
        {
            var table = new Table("ID", "NAME", "ROLE", "PREFIX", "CREATED", "LAST USED", "REVOKED");
            foreach (var key in keys)
            {
                table.Add(key.Id.ToString(), key.Name, Format.Name(key.Role), key.Prefix, Format.Time(key.CreatedAt) + " by " + key.CreatedBy,
                    Format.Time(key.LastUsedAt), key.RevokedAt is { } at ? Format.Time(at) + " by " + key.RevokedBy : "-");
            }
            table.WriteTo(c.Terminal);
        })));
        return command;
    }

    private static Command Revoke(Runner runner)
    {
        var id = new Argument<Guid>("key-id") { Description = "The key's id, as 'keys list' prints it." };
        var command = new Command("revoke", "Revokes a key; it stops working within the API's key cache period.") { id };
        command.SetAction(runner.Action(async c =>
        {
            await c.Client.RevokeApiKeyAsync(c.Get(id), c.CancellationToken);
            return c.Print(new { id = c.Get(id), revoked = true }, _ => c.Terminal.Out($"Revoked key {c.Get(id)}."));
        }));
        return command;
    }
}
