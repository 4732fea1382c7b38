using System.Reflection;
using System.Runtime.InteropServices;

namespace PromLake.Query.Http;

/// <summary>
/// <c>GET /api/v1/status/buildinfo</c>: Prometheus's PrometheusVersion object. <c>version</c> is the Prometheus
/// version whose API PromLake implements (Grafana gates features on it); the other fields describe PromLake's
/// own build. There is deliberately no <c>features</c> field: Grafana reads its presence as "this is Mimir"
/// and would then call the Mimir ruler API.
/// </summary>
public sealed class BuildInfoEndpoint(ITenantResolver tenants, QueryApiOptions options) : QueryApiEndpoint(tenants)
{
    private static readonly (string Revision, string Version) Build = ReadBuild();

    private protected override Task<ApiResult> ExecuteAsync(ApiCall call) =>
        Task.FromResult(ApiResult.Data(w =>
        {
            w.WriteStartObject();
            w.WriteString("version"u8, options.PrometheusVersion);
            w.WriteString("revision"u8, Build.Revision);
            w.WriteString("branch"u8, "HEAD");
            w.WriteString("buildUser"u8, "promlake");
            w.WriteString("buildDate"u8, BuildDate());
            w.WriteString("goVersion"u8, RuntimeInformation.FrameworkDescription + " (PromLake " + Build.Version + ")");
            w.WriteEndObject();
        }));

    /// <summary>The commit and version of this assembly, from its informational version (<c>1.0.0+sha</c>).</summary>
    private static (string Revision, string Version) ReadBuild()
    {
        var informational = typeof(BuildInfoEndpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? ("unknown", informational) : (informational[(plus + 1)..], informational[..plus]);
    }

    /// <summary>Prometheus's format (yyyyMMdd-HH:mm:ss) of the assembly's write time.</summary>
    private static string BuildDate()
    {
        var location = typeof(BuildInfoEndpoint).Assembly.Location;
        return location.Length == 0 || !File.Exists(location)
            ? "unknown"
            : File.GetLastWriteTimeUtc(location).ToString("yyyyMMdd-HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
    }
}
