namespace PromLake.Protocol.Tests;

/// <summary>
/// Finds ../shared (the captures and PromQL scripts laid beside the repository).
/// Tests that need it skip with a message when it is not there.
/// </summary>
public static class SharedData
{
    public static string? Root { get; } = Find();

    public static string? Captures(string mode) =>
        Root is null ? null : Path.Combine(Root, "captures", "prometheus-2.42", mode) is var p && Directory.Exists(p) ? p : null;

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (File.Exists(Path.Combine(candidate, "ARCHITECTURE.md")))
            {
                return candidate;
            }
        }

        return null;
    }
}
