namespace PromLake.Infra.Tests;

/// <summary>infra/main.bicep compiled once per test run (with every module inlined) by the packaged Bicep CLI.</summary>
internal static class CompiledMain
{
    private static readonly Lazy<ArmTemplate> LazyTemplate = new(Compile);

    public static ArmTemplate Template
    {
        get
        {
            Skip.IfNot(BicepCli.IsSupportedPlatform, "the Bicep CLI package is linux-x64 only");
            return LazyTemplate.Value;
        }
    }

    private static ArmTemplate Compile()
    {
        var outDir = Path.Combine(Path.GetTempPath(), "promlake-infra-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outDir);
        try
        {
            var result = BicepCli.Run("build", "main.bicep", "--outdir", outDir);
            Assert.True(result.ExitCode == 0, "bicep build main.bicep failed: " + result.Describe());
            return ArmTemplate.Parse(File.ReadAllText(Path.Combine(outDir, "main.json")));
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }
}
