using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Storage.Blobs;

namespace PromLake.Log.Tests.Blobs;

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

/// <summary>
/// A real Azurite blob service for the tests: the one named by
/// <c>PROMLAKE_AZURITE_BLOB</c> (as .ci/test.sh starts it), or else one started here,
/// in memory on a free port, after installing the npm package into <c>.tools/azurite</c>
/// if it is not there yet, and stopped when the tests end.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string EndpointVariable = "PROMLAKE_AZURITE_BLOB";

    // Azurite's built-in development account, the same for every installation.
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly StringBuilder _azuriteOutput = new();
    private Process? _azurite;

    /// <summary>The blob endpoint with the account, for example http://127.0.0.1:10000/devstoreaccount1.</summary>
    public Uri BlobEndpoint { get; private set; } = null!;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <summary>A client for a container of its own (not created yet), so tests never see each other's blobs.</summary>
    public BlobContainerClient NewContainer() => Container("t" + Guid.NewGuid().ToString("N"));

    public BlobContainerClient Container(string name, BlobClientOptions? options = null) =>
        new(ConnectionString, name, options ?? new BlobClientOptions());

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EndpointVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            BlobEndpoint = new Uri(configured.TrimEnd('/'));
            return;
        }

        var main = await InstallAsync();
        // A free port can be taken by someone else before Azurite binds it: try a few.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var port = FreePort();
            BlobEndpoint = new Uri($"http://127.0.0.1:{port}/{AccountName}");
            if (await StartAsync(main, port))
            {
                return;
            }
        }

        throw new InvalidOperationException($"Azurite exited before answering, three times: {Output()}");
    }

    public Task DisposeAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    private static async Task<string> InstallAsync()
    {
        var prefix = Path.Combine(RepositoryRoot(), ".tools", "azurite");
        var main = Path.Combine(prefix, "node_modules", "azurite", "dist", "src", "blob", "main.js");
        if (File.Exists(main))
        {
            return main;
        }

        using var npm = Process.Start(new ProcessStartInfo("npm")
        {
            ArgumentList = { "install", "--prefix", prefix, "--no-audit", "--no-fund", "azurite@3" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("Could not run npm to install Azurite");
        var output = npm.StandardOutput.ReadToEndAsync();
        var errors = npm.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(InstallTimeout);
        try
        {
            await npm.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            npm.Kill(entireProcessTree: true);
            throw new TimeoutException($"npm install azurite did not finish within {InstallTimeout}");
        }

        if (npm.ExitCode != 0 || !File.Exists(main))
        {
            throw new InvalidOperationException($"npm install azurite failed ({npm.ExitCode}): {await output}{await errors}");
        }

        return main;
    }

    /// <summary>Starts Azurite and waits until it answers; false when it exited first (the port was taken).</summary>
    private async Task<bool> StartAsync(string main, int port)
    {
        var process = new Process
        {
            StartInfo = new ProcessStartInfo("node")
            {
                ArgumentList =
                {
                    main, "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    // In memory: nothing to clean up. The SDK may speak a newer service version than
                    // this Azurite knows; the calls used here are old ones. No telemetry: no network.
                    // Silent: no line per request.
                    "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent",
                },
                WorkingDirectory = Path.GetTempPath(),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
        };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _azurite = process;

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                Stop();
                return false;
            }

            try
            {
                // Any answer, even 403 for the unsigned request, means it is listening.
                using var response = await http.GetAsync(new Uri(BlobEndpoint, "?comp=list"));
                return true;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(100);
            }
        }

        Stop();
        throw new TimeoutException($"Azurite did not answer on port {port} within {StartTimeout}: {Output()}");
    }

    private void Stop()
    {
        var process = Interlocked.Exchange(ref _azurite, null);
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_azuriteOutput)
        {
            if (_azuriteOutput.Length < 64 * 1024)
            {
                _azuriteOutput.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_azuriteOutput)
        {
            return _azuriteOutput.ToString();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Functions.sln above {AppContext.BaseDirectory}; cannot tell where to install Azurite");
    }
}
