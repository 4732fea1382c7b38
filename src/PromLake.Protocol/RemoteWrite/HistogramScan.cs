using PromLake.Protocol.Wire;

namespace PromLake.Protocol.RemoteWrite;

/// <summary>
/// Walks a native histogram message without materialising it: checks that every
/// field is well-formed (the bytes go into the log as they are, so they must
/// decode later) and returns its timestamp (field 15, the same in both versions).
/// </summary>
public static class HistogramScan
{
    public static long ReadTimestamp(ProtoReader reader)
    {
        long timestamp = 0;
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 15)
            {
                reader.Expect(wireType, WireType.Varint, "Histogram", field);
                timestamp = (long)reader.ReadVarint();
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return timestamp;
    }
}
