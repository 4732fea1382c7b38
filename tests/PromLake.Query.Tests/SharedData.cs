namespace PromLake.Query.Tests;

/// <summary>
/// Locates the <c>shared</c> folder laid beside the repository (it holds Prometheus's PromQL test
/// scripts) by walking up from the test assembly. Null when it is not there; tests then skip.
/// </summary>
public static class SharedData
{
    public static string? Root { get; } = Locate();

    /// <summary>The folder of the promqltest scripts, or null.</summary>
    public static string? PromQLTests =>
        Root is not null && Directory.Exists(Path.Combine(Root, "promqltest")) ? Path.Combine(Root, "promqltest") : null;

    private static string? Locate()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var shared = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(shared, "promqltest")) || File.Exists(Path.Combine(shared, "ARCHITECTURE.md")))
            {
                return shared;
            }

            dir = dir.Parent;
        }

        return null;
    }
}
