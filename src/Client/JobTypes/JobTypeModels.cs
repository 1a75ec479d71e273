using System.Text.Json;

namespace Totallator.Client;

/// <summary>A job type registered in code, that admins can create jobs from.</summary>
/// <param name="Name">The type's name (<see cref="JobCreateRequest.Type"/>).</param>
/// <param name="DisplayName">Its display name.</param>
/// <param name="Description">What it does.</param>
/// <param name="ParametersSchema">Its parameters' JSON schema (draft 2020-12).</param>
public sealed record JobType(string Name, string DisplayName, string Description, JsonElement ParametersSchema);
