using Microsoft.Extensions.Options;

namespace PromLake.Log;

/// <summary>Runs <see cref="LocalLogOptions.Validate"/> when the options are first used (and at start, with ValidateOnStart).</summary>
internal sealed class LocalLogOptionsValidator : IValidateOptions<LocalLogOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalLogOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
