namespace PromLake.LoadGenerator;

/// <summary>The remote-write wire format a run speaks; each has its own message, content type and version header.</summary>
internal enum RemoteWriteProtocol
{
    /// <summary>RW 1.0: <c>prometheus.WriteRequest</c>, what Prometheus's own receiver accepts at /api/v1/write.</summary>
    V1 = 1,

    /// <summary>RW 2.0: <c>io.prometheus.write.v2.Request</c> with a per-request symbol table.</summary>
    V2 = 2,
}

internal static class RemoteWriteProtocolExtensions
{
    public static string ContentType(this RemoteWriteProtocol protocol) => protocol switch
    {
        RemoteWriteProtocol.V1 => "application/x-protobuf;proto=prometheus.WriteRequest",
        RemoteWriteProtocol.V2 => "application/x-protobuf;proto=io.prometheus.write.v2.Request",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    /// <summary>The X-Prometheus-Remote-Write-Version value Prometheus itself sends for this format.</summary>
    public static string VersionHeader(this RemoteWriteProtocol protocol) => protocol switch
    {
        RemoteWriteProtocol.V1 => "0.1.0",
        RemoteWriteProtocol.V2 => "2.0.0",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    public static string DisplayName(this RemoteWriteProtocol protocol) => protocol switch
    {
        RemoteWriteProtocol.V1 => "RW 1.0",
        RemoteWriteProtocol.V2 => "RW 2.0",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };
}
