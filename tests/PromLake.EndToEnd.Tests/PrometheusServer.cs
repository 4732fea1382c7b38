using System.Globalization;
using System.Text.Json;

namespace PromLake.EndToEnd.Tests;

/// <summary>
/// A real Prometheus (the Debian package, 2.42) scraping itself every second and
/// remote-writing to PromLake with basic auth, in server or agent mode.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly HttpClient _http = new();

    private PrometheusServer(ChildProcess process, int port)
    {
        _process = process;
        Url = $"http://127.0.0.1:{port}";
    }

    public string Url { get; }

    public string Output => _process.Output;

    public static string Binary()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, "prometheus");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("prometheus is not installed: `apt-get install prometheus` (.ci/run does this)");
    }

    public static async Task<PrometheusServer> StartAsync(string directory, string remoteWriteUrl, bool agent, string? replica = null, string? extraTarget = null)
    {
        Directory.CreateDirectory(directory);
        var port = FreePort.Next();
        var externalLabels = replica is null ? "" : $"\n  external_labels:\n    __replica__: {replica}";
        var extraJob = extraTarget is null ? "" : $"\n  - job_name: shared\n    static_configs:\n      - targets: [\"{extraTarget}\"]";
        var passwordFile = Path.Combine(directory, "password");
        await File.WriteAllTextAsync(passwordFile, "dev");
        var config = $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s{externalLabels}
            scrape_configs:
              - job_name: prometheus
                static_configs:
                  - targets: ["127.0.0.1:{port}"]{extraJob}
            remote_write:
              - url: {remoteWriteUrl}/api/v1/write
                basic_auth:
                  username: dev
                  password_file: {passwordFile}
                queue_config:
                  batch_send_deadline: 1s
                  min_backoff: 100ms
                  max_backoff: 1s
                metadata_config:
                  send_interval: 5s
            """;
        var configFile = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(configFile, config);
        List<string> arguments = [$"--config.file={configFile}", $"--web.listen-address=127.0.0.1:{port}", "--log.level=info"];
        if (agent)
        {
            arguments.Add("--enable-feature=agent");
            arguments.Add($"--storage.agent.path={Path.Combine(directory, "agent")}");
        }
        else
        {
            arguments.Add($"--storage.tsdb.path={Path.Combine(directory, "tsdb")}");
        }

        var prometheus = new PrometheusServer(new ChildProcess(Binary(), arguments), port);
        await prometheus.WaitReadyAsync();
        return prometheus;
    }

    private async Task WaitReadyAsync()
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("prometheus exited during start-up:\n" + _process.Output);
            }

            try
            {
                if ((await _http.GetAsync(Url + "/-/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("prometheus did not become ready:\n" + _process.Output);
    }

    /// <summary>The sum of a metric's values on Prometheus's own /metrics (0 when absent).</summary>
    public async Task<double> SelfMetricAsync(string name)
    {
        var text = await _http.GetStringAsync(Url + "/metrics");
        double total = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && (line.Length > name.Length && (line[name.Length] == '{' || line[name.Length] == ' ')))
            {
                total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    /// <summary>The raw samples of a series in (time - range, time], from Prometheus's own query API.</summary>
    public async Task<List<(long Timestamp, string Value)>> RawSamplesAsync(string selector, TimeSpan range, double time)
    {
        var query = Uri.EscapeDataString($"{selector}[{(int)range.TotalSeconds}s]");
        var json = await _http.GetStringAsync($"{Url}/api/v1/query?query={query}&time={time.ToString(CultureInfo.InvariantCulture)}");
        using var document = JsonDocument.Parse(json);
        var result = document.RootElement.GetProperty("data").GetProperty("result");
        Assert.Equal(1, result.GetArrayLength());
        var samples = new List<(long, string)>();
        foreach (var pair in result[0].GetProperty("values").EnumerateArray())
        {
            var ts = (long)Math.Round(pair[0].GetDouble() * 1000);
            samples.Add((ts, pair[1].GetString()!));
        }

        return samples;
    }

    public Task StopAsync() => _process.StopAsync(TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
    }
}
