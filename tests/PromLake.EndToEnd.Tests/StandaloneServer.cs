namespace PromLake.EndToEnd.Tests;

/// <summary>PromLake's standalone server as its own process, on a free loopback port, with a fresh log folder.</summary>
internal sealed class StandaloneServer : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private StandaloneServer(ChildProcess process, int port, string dataDirectory)
    {
        _process = process;
        Url = $"http://127.0.0.1:{port}";
        DataDirectory = dataDirectory;
    }

    public string Url { get; }

    public string DataDirectory { get; }

    public string LogDirectory => Path.Combine(DataDirectory, "log");

    public const int ShardCount = 4;

    public string Output => _process.Output;

    public static async Task<StandaloneServer> StartAsync(string dataDirectory, IDictionary<string, string>? settings = null)
    {
        var port = FreePort.Next();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["PromLake__Log__Directory"] = Path.Combine(dataDirectory, "log"),
            ["PromLake__Log__ShardCount"] = ShardCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Some tests write at fixed instants years back (1_700_000_000_000 is 2023-11-14); a century of retention keeps them.
            ["PromLake__Limits__RetentionDays"] = "36500",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var dll = RepositoryPaths.ServerDll;
        Assert.True(File.Exists(dll), $"the standalone server is not built at {dll}");
        var process = new ChildProcess("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"], environment, Path.GetDirectoryName(dll));
        var server = new StandaloneServer(process, port, dataDirectory);
        await server.WaitReadyAsync();
        return server;
    }

    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("the standalone server exited during start-up:\n" + _process.Output);
            }

            try
            {
                if ((await http.GetAsync(Url + "/-/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the standalone server did not become ready:\n" + _process.Output);
    }

    public Task StopAsync() => _process.StopAsync(TimeSpan.FromSeconds(20));

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
