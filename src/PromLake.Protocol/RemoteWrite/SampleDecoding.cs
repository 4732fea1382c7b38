using PromLake.Protocol.Wire;

namespace PromLake.Protocol.RemoteWrite;

/// <summary>
/// The Sample message of both versions: <c>double value = 1; int64 timestamp = 2;</c>
/// and, in RW 2.0 only, <c>int64 start_timestamp = 3;</c>.
/// </summary>
internal static class SampleDecoding
{
    public static void Decode(ref SampleEntry sample, ProtoReader reader, bool withStartTimestamp)
    {
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, WireType.Fixed64, "Sample", field);
                    sample.ValueBits = reader.ReadFixed64();
                    break;
                case 2:
                    reader.Expect(wireType, WireType.Varint, "Sample", field);
                    sample.Timestamp = (long)reader.ReadVarint();
                    break;
                case 3 when withStartTimestamp:
                    reader.Expect(wireType, WireType.Varint, "Sample", field);
                    sample.StartTimestamp = (long)reader.ReadVarint();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }
}
