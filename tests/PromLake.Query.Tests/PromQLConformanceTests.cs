using System.Collections.Concurrent;
using System.Text;
using PromLake.Query.Tests.PromQLTest;
using Xunit.Abstractions;

namespace PromLake.Query.Tests;

/// <summary>
/// Runs Prometheus's own PromQL test scripts (../shared/promqltest/*.test) against our engine.
/// Files listed in <see cref="FullyPassing"/> must pass every eval; every other file is run and
/// reported (pass counts per file in the test output and in TestResults/promqltest-report.md).
/// </summary>
public sealed class PromQLConformanceTests(ITestOutputHelper output)
{
    /// <summary>Files that pass completely. This list only grows.</summary>
    public static readonly string[] FullyPassing =
    [
        "aggregators",
        "at_modifier",
        "collision",
        "functions",
        "histograms",
        "limit",
        "literals",
        "name_label_dropping",
        "native_histograms",
        "operators",
        "range_queries",
        "selectors",
        "staleness",
        "subquery",
        "trig_functions",
    ];

    private static readonly ConcurrentDictionary<string, List<EvalOutcome>> Cache = new();

    public static IEnumerable<object[]> FullyPassingFiles() => FullyPassing.Select(f => new object[] { f });

    internal static List<EvalOutcome> RunFile(string file) =>
        Cache.GetOrAdd(file, f => new ScriptRunner().Run(File.ReadAllText(Path.Combine(SharedData.PromQLTests!, f + ".test"))));

    [SkippableTheory]
    [MemberData(nameof(FullyPassingFiles))]
    public void Every_eval_of_the_script_passes(string file)
    {
        Skip.If(SharedData.PromQLTests is null, "../shared/promqltest is not there: the PromQL conformance scripts cannot be run");
        var outcomes = RunFile(file);
        var failures = outcomes.Where(o => !o.Passed).ToList();
        foreach (var f in failures)
        {
            output.WriteLine($"line {f.Line}: {f.Expr}\n    {f.Failure}");
        }

        Assert.True(failures.Count == 0, $"{file}: {failures.Count} of {outcomes.Count} evals failed");
    }

    [SkippableFact]
    public void Report_pass_counts_of_every_script()
    {
        Skip.If(SharedData.PromQLTests is null, "../shared/promqltest is not there: the PromQL conformance scripts cannot be run");
        var files = Directory.GetFiles(SharedData.PromQLTests!, "*.test").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList();
        var report = new StringBuilder();
        report.AppendLine("| file | evals passed | total | |");
        report.AppendLine("| --- | ---: | ---: | --- |");
        int passed = 0, total = 0;
        foreach (var file in files)
        {
            var outcomes = RunFile(file!);
            var p = outcomes.Count(o => o.Passed);
            passed += p;
            total += outcomes.Count;
            report.AppendLine($"| {file} | {p} | {outcomes.Count} | {(p == outcomes.Count ? "complete" : "")} |");
        }

        report.AppendLine($"| **all** | {passed} | {total} | |");
        output.WriteLine(report.ToString());
        var resultsDir = Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(resultsDir);
        File.WriteAllText(Path.Combine(resultsDir, "promqltest-report.md"), report.ToString());

        var failuresPath = Path.Combine(resultsDir, "promqltest-failures.txt");
        var failures = new StringBuilder();
        foreach (var file in files)
        {
            foreach (var o in RunFile(file!).Where(o => !o.Passed))
            {
                failures.AppendLine($"{file}.test:{o.Line}: {o.Expr}\n    {o.Failure?.Split('\n')[0]}");
            }
        }

        File.WriteAllText(failuresPath, failures.ToString());
    }
}
