namespace PromLake.EndToEnd.Tests;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The standalone server built in the same configuration as these tests.</summary>
    public static string ServerDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            return Path.Combine(Root, "src", "PromLake.Server", "bin", configuration, "net10.0", "PromLake.Server.dll");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Functions.sln) above " + AppContext.BaseDirectory);
    }
}
