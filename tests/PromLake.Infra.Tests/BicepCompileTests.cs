namespace PromLake.Infra.Tests;

/// <summary>bicep build of every .bicep file under infra/: no errors, no warnings (lint rules included).</summary>
public sealed class BicepCompileTests
{
    // Also used by BicepLintTests; a class of its own so xunit runs the two in parallel.
    public static TheoryData<string> BicepFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in RepositoryPaths.BicepFiles())
        {
            data.Add(file);
        }

        return data;
    }

    [Fact]
    public void Infra_has_main_and_modules()
    {
        var files = RepositoryPaths.BicepFiles().ToList();
        Assert.Contains("main.bicep", files);
        Assert.Contains(files, f => f.StartsWith("modules/", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_module_is_used_by_main()
    {
        var main = File.ReadAllText(Path.Combine(RepositoryPaths.Infra, "main.bicep"));
        foreach (var module in RepositoryPaths.BicepFiles().Where(f => f.StartsWith("modules/", StringComparison.Ordinal)))
        {
            Assert.True(main.Contains($"'{module}'", StringComparison.Ordinal), $"main.bicep does not use {module}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(BicepFiles))]
    public void Builds_without_diagnostics(string file)
    {
        Skip.IfNot(BicepCli.IsSupportedPlatform, "the Bicep CLI package is linux-x64 only");
        var outDir = Path.Combine(Path.GetTempPath(), "promlake-bicep-build-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outDir);
        try
        {
            var result = BicepCli.Run("build", file, "--outdir", outDir);
            Assert.True(result.ExitCode == 0, $"bicep build {file}: {result.Describe()}");
            Assert.True(result.Diagnostics.Count == 0, $"bicep build {file} reported:\n{string.Join('\n', result.Diagnostics)}");
            Assert.True(File.Exists(Path.Combine(outDir, Path.ChangeExtension(Path.GetFileName(file), ".json"))), $"no ARM template for {file}");
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    [SkippableFact]
    public void The_packaged_cli_runs()
    {
        Skip.IfNot(BicepCli.IsSupportedPlatform, "the Bicep CLI package is linux-x64 only");
        var result = BicepCli.Run("--version");
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("Bicep CLI version", result.StandardOutput, StringComparison.Ordinal);
    }
}

/// <summary>bicep lint of every .bicep file under infra/ (rules and levels in infra/bicepconfig.json): nothing reported.</summary>
public sealed class BicepLintTests
{
    [SkippableTheory]
    [MemberData(nameof(BicepCompileTests.BicepFiles), MemberType = typeof(BicepCompileTests))]
    public void Lints_without_diagnostics(string file)
    {
        Skip.IfNot(BicepCli.IsSupportedPlatform, "the Bicep CLI package is linux-x64 only");
        var result = BicepCli.Run("lint", file);
        Assert.True(result.ExitCode == 0, $"bicep lint {file}: {result.Describe()}");
        Assert.True(result.Diagnostics.Count == 0, $"bicep lint {file} reported:\n{string.Join('\n', result.Diagnostics)}");
    }
}
