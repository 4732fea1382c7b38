using System.Net;

namespace PromLake.LoadGenerator;

/// <summary>What came of one request: an HTTP status, or an error before one arrived.</summary>
internal readonly record struct SendOutcome(int StatusCode, string? Error)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;

    /// <summary>How the report groups failures: by status code, or by kind of transport error.</summary>
    public string FailureKey => StatusCode > 0 ? StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : Error ?? "error";
}

/// <summary>
/// Posts bodies the way Prometheus's remote-write client does: HTTP/1.1 keep-alive connections, one request
/// in flight per connection, snappy-encoded protobuf with the remote-write headers.
/// </summary>
/// <remarks>One shared handler whose pool has a connection per sender, so connections are opened during the warm-up
/// and then reused, and no request waits for another's connection.</remarks>
internal sealed class RemoteWriteSender : IDisposable
{
    private const string UserAgent = "PromLake-LoadGenerator";

    private readonly HttpClient _client;
    private readonly Uri _url;
    private readonly string _contentType;
    private readonly string _version;
    private readonly string? _authorization;

    public RemoteWriteSender(Uri url, RemoteWriteProtocol protocol, int connections, TimeSpan timeout, string? authorization)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
        };

        _client = new HttpClient(handler)
        {
            Timeout = timeout,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        _url = url;
        _contentType = protocol.ContentType();
        _version = protocol.VersionHeader();
        _authorization = authorization;
    }

    public async Task<SendOutcome> SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _url)
            {
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ReadOnlyMemoryContent(body),
            };

            // Added without validation: the values are fixed and known good, and parsing them per request is waste.
            request.Content.Headers.TryAddWithoutValidation("Content-Type", _contentType);
            request.Content.Headers.TryAddWithoutValidation("Content-Encoding", "snappy");
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
            request.Headers.TryAddWithoutValidation("X-Prometheus-Remote-Write-Version", _version);
            if (_authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", _authorization);
            }

            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                // Drain whatever the receiver sent so the connection can be reused.
                await response.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                return new SendOutcome(status, null);
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return new SendOutcome(status, text.Trim());
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome(0, "timeout");
        }
        catch (HttpRequestException exception)
        {
            return new SendOutcome(0, exception.HttpRequestError == HttpRequestError.Unknown
                ? "http error: " + exception.Message
                : "http error: " + exception.HttpRequestError);
        }
    }

    public void Dispose() => _client.Dispose();
}
