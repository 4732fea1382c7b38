namespace PromLake.Protocol.RemoteWrite;

public enum RemoteWriteVersion
{
    /// <summary>prometheus.WriteRequest.</summary>
    V1 = 1,

    /// <summary>io.prometheus.write.v2.Request.</summary>
    V2 = 2,
}
