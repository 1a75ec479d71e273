using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Grains.Admin;

/// <summary>Validation shared by the admin grains: each failure names its field.</summary>
internal static class AdminInput
{
    public const int MaxPageSize = 500;

    public static InvalidAdminInputException Invalid(string field, string message) => new(message) { Field = field };

    public static void Range(int value, int min, int max, string field)
    {
        if (value < min || value > max)
        {
            throw Invalid(field, $"{field} must be between {min} and {max}; got {value}.");
        }
    }

    /// <summary>Offset ≥ 0 and a limit of 1 to <see cref="MaxPageSize"/>.</summary>
    public static void Page(int offset, int limit)
    {
        if (offset < 0)
        {
            throw Invalid("offset", $"offset must not be negative; got {offset}.");
        }
        Range(limit, 1, MaxPageSize, "limit");
    }

    public static void Actor(AdminActor actor)
    {
        if (actor is null || string.IsNullOrWhiteSpace(actor.Name))
        {
            throw Invalid("actor", "Who makes the change is required.");
        }
    }
}
