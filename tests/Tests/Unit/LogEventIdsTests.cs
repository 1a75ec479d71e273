using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Totallator.Tests.Unit;

/// <summary>
/// Every log message of the scheduler, the silo host and the AdminApi has an event id of its own: operators filter and alert by
/// it (docs name some), so two messages under one id would hide one behind the other. The roll-up pass and the alert
/// dispatcher once shared 3601–3603.
/// </summary>
[Trait("Category", "Unit")]
public sealed class LogEventIdsTests
{
    [Fact]
    public void NoTwoLogMessagesShareAnEventId()
    {
        Assembly[] assemblies = [typeof(Grains.JobGrain.CronJobGrain).Assembly, typeof(Totallator.AdminApi.Hosting.AdminPages).Assembly, typeof(Totallator.Silo.SiloHosting).Assembly];
        var messages = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.Name}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToList();

        Assert.True(messages.Count > 50, $"only {messages.Count} log messages found: the scan does not see them");
        var shared = messages.GroupBy(x => x.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.Method))}").ToList();
        Assert.True(shared.Count == 0, "event ids used by more than one message: " + string.Join("; ", shared));
    }
}
