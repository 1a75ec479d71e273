using Microsoft.Extensions.Options;

namespace Totallator.Client;

/// <summary>Checks the options when they are first used (or at start-up, with the host's ValidateOnStart).</summary>
internal sealed class TotallatorClientOptionsValidator : IValidateOptions<TotallatorClientOptions>
{
    public ValidateOptionsResult Validate(string? name, TotallatorClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures.Select(f => "Totallator client: " + f));
    }
}
