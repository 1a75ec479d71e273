namespace Totallator.Grains.Interfaces.Admin;

/// <summary>A job type admins can create jobs from: its name, what it does, and its parameters' JSON schema.</summary>
[GenerateSerializer, Immutable, Alias("totallator.job-type-view")]
public sealed record JobTypeView
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string DisplayName { get; init; }
    [Id(2)] public required string Description { get; init; }
    /// <summary>The parameters' JSON schema (draft 2020-12): the admin page builds its form from it.</summary>
    [Id(3)] public required string ParametersSchemaJson { get; init; }
}
