using PromLake.Protocol.RemoteWrite;

namespace PromLake.Ingest;

/// <summary>Which schema a request body uses, from its Content-Type (both specs' content negotiation).</summary>
public static class RemoteWriteContentType
{
    public const string V1 = "application/x-protobuf;proto=prometheus.WriteRequest";
    public const string V2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request";

    /// <summary>
    /// RW 2.0: "application/x-protobuf" alone means the 1.0 message; a proto
    /// parameter names the message. A missing header is taken as 1.0, as
    /// Prometheus's own receiver does, for senders that predate the header.
    /// </summary>
    public static RemoteWriteVersion? Parse(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return RemoteWriteVersion.V1;
        }

        var parts = contentType.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !parts[0].Equals("application/x-protobuf", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        RemoteWriteVersion version = RemoteWriteVersion.V1;
        for (var i = 1; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=');
            if (eq < 0 || !parts[i][..eq].Trim().Equals("proto", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var proto = parts[i][(eq + 1)..].Trim().Trim('"');
            switch (proto)
            {
                case "prometheus.WriteRequest":
                    version = RemoteWriteVersion.V1;
                    break;
                case "io.prometheus.write.v2.Request":
                    version = RemoteWriteVersion.V2;
                    break;
                default:
                    return null;
            }
        }

        return version;
    }
}
