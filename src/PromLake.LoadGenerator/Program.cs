using System.Diagnostics;
using System.Globalization;
using System.Text;
using PromLake.LoadGenerator;

const string Usage = """
    PromLake.LoadGenerator: posts node_exporter-like Prometheus remote-write requests to a receiver and reports
    throughput and latency.

    usage: PromLake.LoadGenerator --url URL [options]
           PromLake.LoadGenerator --self-check [options]

      --url URL                  receiver endpoint, e.g. http://127.0.0.1:9090/api/v1/write (required)
      --protocol 1|2             remote-write 1.0 or 2.0 (default 1)
      --concurrency N            connections, each with one request in flight (default 8)
      --duration SECONDS         measured time after the warm-up (default 10 unless --requests is given)
      --requests N               measured requests; with --duration, whichever ends first
      --warmup SECONDS           unmeasured time first, covering series creation and connecting (default 2)
      --targets N                simulated hosts, ~360 series each (default: at least 100, and enough for
                                 two request bodies per connection)
      --series-per-request N     series per request, like Prometheus's max_samples_per_send (default 2000)
      --samples-per-series N     consecutive scrapes per series in one request (default 1)
      --scrape-interval SECONDS  simulated time between a target's scrapes (default 15)
      --seed N                   makes the fleet and its values reproducible (default 1)
      --timeout SECONDS          per-request timeout (default 30)
      --basic-auth USER:PASS     send HTTP basic authentication
      --bearer TOKEN             send a bearer token
      --json                     also print the result as one JSON line
      --self-check               decode generated bodies of both protocols instead of sending anything

    Every series' timestamps strictly increase over the run, starting near now and advancing one scrape interval per
    round, i.e. faster than the clock: give the receiver fresh storage for each run. Exit code: 0 when every request
    got a 2xx, 1 when any failed, 2 for bad arguments.
    """;

LoadOptions options;
try
{
    var parsed = Parse(args);
    if (parsed is null)
    {
        Console.WriteLine(Usage);
        return 0;
    }

    options = parsed;
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    Console.Error.WriteLine("run with --help for the options");
    return 2;
}

if (options.SelfCheck)
{
    return SelfCheck.Run(options);
}

var preparation = Stopwatch.StartNew();
var timeline = ScrapeTimeline.StartingNow(TimeSpan.FromSeconds(options.ScrapeIntervalSeconds));
var workload = ScrapeWorkload.Create(options.Targets, options.SeriesPerRequest, options.Concurrency, options.Seed, timeline);
if (workload.Batches.Count < options.Concurrency)
{
    Console.Error.WriteLine(
        $"error: {workload.SeriesCount} series make only {workload.Batches.Count} request bodies, fewer than --concurrency {options.Concurrency}; " +
        "each connection needs a body of its own. Raise --targets or lower --series-per-request.");
    return 2;
}

var pool = RequestBodyPool.Prepare(workload, new RequestFactory(options.Protocol, timeline, options.SamplesPerSeries));
preparation.Stop();

// Collect the garbage of preparation now rather than during the measured window.
GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

using var sender = new RemoteWriteSender(options.Url!, options.Protocol, options.Concurrency, TimeSpan.FromSeconds(options.TimeoutSeconds), options.Authorization);
var result = await new LoadRun(options, workload, pool, sender).RunAsync(preparation.Elapsed.TotalSeconds);

Console.Write(LoadReport.ToText(result));
if (options.Json)
{
    Console.WriteLine(LoadReport.ToJson(result));
}

return result.AllSucceeded && result.Requests > 0 ? 0 : 1;

static LoadOptions? Parse(string[] args)
{
    var options = new LoadOptions();
    string? basicAuth = null, bearer = null;
    for (var i = 0; i < args.Length; i++)
    {
        var arg = args[i];
        string? inline = null;
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
        {
            inline = arg[(equals + 1)..];
            arg = arg[..equals];
        }

        string Value() => inline ?? (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value"));

        switch (arg)
        {
            case "--help" or "-h":
                return null;
            case "--url":
                options = options with { Url = ParseUrl(Value()) };
                break;
            case "--protocol":
                options = options with
                {
                    Protocol = Value() switch
                    {
                        "1" or "1.0" => RemoteWriteProtocol.V1,
                        "2" or "2.0" => RemoteWriteProtocol.V2,
                        var other => throw new ArgumentException($"--protocol must be 1 or 2, not '{other}'"),
                    },
                };
                break;
            case "--concurrency":
                options = options with { Concurrency = ParseInt(arg, Value(), 1, 4096) };
                break;
            case "--duration":
                options = options with { DurationSeconds = ParseSeconds(arg, Value(), allowZero: false) };
                break;
            case "--requests":
                options = options with { Requests = ParseInt(arg, Value(), 1, int.MaxValue) };
                break;
            case "--warmup":
                options = options with { WarmupSeconds = ParseSeconds(arg, Value(), allowZero: true) };
                break;
            case "--targets":
                options = options with { Targets = ParseInt(arg, Value(), 1, 1_000_000) };
                break;
            case "--series-per-request":
                options = options with { SeriesPerRequest = ParseInt(arg, Value(), 1, 1_000_000) };
                break;
            case "--samples-per-series":
                options = options with { SamplesPerSeries = ParseInt(arg, Value(), 1, 10_000) };
                break;
            case "--scrape-interval":
                options = options with { ScrapeIntervalSeconds = ParseSeconds(arg, Value(), allowZero: false) };
                break;
            case "--seed":
                options = options with { Seed = ParseInt(arg, Value(), int.MinValue, int.MaxValue) };
                break;
            case "--timeout":
                options = options with { TimeoutSeconds = ParseSeconds(arg, Value(), allowZero: false) };
                break;
            case "--basic-auth":
                basicAuth = Value();
                if (!basicAuth.Contains(':', StringComparison.Ordinal))
                {
                    throw new ArgumentException("--basic-auth must be USER:PASSWORD");
                }

                break;
            case "--bearer":
                bearer = Value();
                break;
            case "--json":
                options = options with { Json = true };
                break;
            case "--self-check":
                options = options with { SelfCheck = true };
                break;
            default:
                throw new ArgumentException($"unknown argument '{args[i]}'");
        }
    }

    if (basicAuth is not null && bearer is not null)
    {
        throw new ArgumentException("give either --basic-auth or --bearer, not both");
    }

    if (options.Url is null && !options.SelfCheck)
    {
        throw new ArgumentException("--url is required");
    }

    if (options.ScrapeIntervalSeconds < 0.001)
    {
        throw new ArgumentException("--scrape-interval must be at least 1 ms");
    }

    return options with
    {
        DurationSeconds = options.DurationSeconds ?? (options.Requests is null ? 10 : null),
        Authorization = basicAuth is not null
            ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(basicAuth))
            : bearer is not null ? "Bearer " + bearer : null,
    };
}

static Uri ParseUrl(string text) =>
    Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
        ? url
        : throw new ArgumentException($"--url must be an absolute http(s) URL, not '{text}'");

static int ParseInt(string name, string text, int min, int max) =>
    int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
        ? value
        : throw new ArgumentException($"{name} must be a whole number from {min} to {max}, not '{text}'");

static double ParseSeconds(string name, string text, bool allowZero) =>
    double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && (value > 0 || (allowZero && value == 0)) && value < 1e7
        ? value
        : throw new ArgumentException($"{name} must be a number of seconds{(allowZero ? "" : " above 0")}, not '{text}'");
