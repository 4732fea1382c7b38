using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PromLake.Infra.Tests;

/// <summary>host.json and azure.yaml: what the deployment relies on.</summary>
public sealed partial class DeploymentFilesTests
{
    private static JsonNode HostJson() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")))!;

    [Fact]
    public void Host_json_keeps_prometheus_paths_at_the_root()
    {
        // routePrefix "" makes the URL /api/v1/write (the route itself), as Prometheus expects.
        Assert.Equal("", HostJson()["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
    }

    [Fact]
    public void Host_json_gives_the_compactor_a_bounded_timeout()
    {
        var timeout = TimeSpan.Parse(HostJson()["functionTimeout"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.InRange(timeout, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30));
    }

    [Fact]
    public void Host_json_limits_http_concurrency_and_samples_telemetry()
    {
        var host = HostJson();
        var http = host["extensions"]!["http"]!;
        var concurrent = http["maxConcurrentRequests"]!.GetValue<int>();
        var outstanding = http["maxOutstandingRequests"]!.GetValue<int>();
        Assert.InRange(concurrent, 1, outstanding);
        Assert.NotNull(host["logging"]!["logLevel"]!["default"]);
        Assert.True(host["logging"]!["applicationInsights"]!["samplingSettings"]!["isEnabled"]!.GetValue<bool>());
    }

    [SkippableFact]
    public void Host_json_admits_at_least_the_concurrency_the_plan_scales_on()
    {
        var perInstance = CompiledMain.Template.Root["parameters"]!["httpPerInstanceConcurrency"]!["defaultValue"]!.GetValue<int>();
        Assert.True(HostJson()["extensions"]!["http"]!["maxConcurrentRequests"]!.GetValue<int>() >= perInstance,
            "host.json maxConcurrentRequests is below the plan's per-instance HTTP concurrency: instances would queue before the plan scales out");
    }

    [SkippableFact]
    public void Azure_yaml_deploys_the_functions_project_to_the_app_the_template_tags()
    {
        var yaml = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "azure.yaml"));
        Assert.Matches(@"(?m)^\s+path:\s*infra\s*$", yaml);
        Assert.Matches(@"(?m)^\s+host:\s*function\s*$", yaml);
        Assert.Matches(@"(?m)^\s+language:\s*dotnet\s*$", yaml);

        var project = ProjectLine().Match(yaml);
        Assert.True(project.Success, "azure.yaml has no service project");
        var projectDir = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, project.Groups[1].Value));
        Assert.True(File.Exists(Path.Combine(projectDir, "PromLake.Functions.csproj")), $"{projectDir} is not the Functions project");

        // The service's name in azure.yaml is the azd-service-name tag the template puts on the app.
        var service = ServiceName().Match(yaml);
        Assert.True(service.Success, "azure.yaml has no service");
        var app = CompiledMain.Template.Single("Microsoft.Web/sites");
        Assert.Equal(service.Groups[1].Value, ArmTemplate.ResolveToRoot(app, "[parameters('azdServiceName')]"));
    }

    [GeneratedRegex(@"(?m)^\s+project:\s*(\S+)\s*$")]
    private static partial Regex ProjectLine();

    [GeneratedRegex(@"(?m)^services:\s*\n\s+([A-Za-z0-9-]+):\s*$")]
    private static partial Regex ServiceName();
}
