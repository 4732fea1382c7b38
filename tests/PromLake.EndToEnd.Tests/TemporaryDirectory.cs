namespace PromLake.EndToEnd.Tests;

/// <summary>A fresh folder for one test's processes and data, deleted afterwards.</summary>
public abstract class TemporaryDirectory : IAsyncLifetime
{
    protected string TestDirectory { get; } = Path.Combine(Path.GetTempPath(), "promlake-e2e-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(TestDirectory);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(TestDirectory, recursive: true);
        return Task.CompletedTask;
    }
}
