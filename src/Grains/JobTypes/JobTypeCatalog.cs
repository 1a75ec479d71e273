namespace Totallator.Grains.JobTypes;

/// <summary>The job types this silo knows; checked once at start-up (a bad or duplicate name fails the silo, naming it).</summary>
public sealed class JobTypeCatalog
{
    private readonly Dictionary<string, CronJobType> _byName = new(StringComparer.Ordinal);

    public JobTypeCatalog(IEnumerable<CronJobType> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        foreach (var type in types)
        {
            if (!Jobs.JobCatalog.SlugPattern().IsMatch(type.Name))
            {
                throw new InvalidOperationException($"Job type name '{type.Name}' is invalid: use 1-63 lower-case letters, digits and dashes.");
            }
            if (!_byName.TryAdd(type.Name, type))
            {
                throw new InvalidOperationException($"Job type '{type.Name}' is registered twice.");
            }
        }
    }

    public IReadOnlyCollection<CronJobType> All => _byName.Values;

    public CronJobType? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The registered names in order, for a message that refuses an unknown one ("none" when there are none).</summary>
    public string NamesText => _byName.Count == 0 ? "none" : string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal));
}
