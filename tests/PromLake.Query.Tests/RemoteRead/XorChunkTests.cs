using PromLake.Query.PromQL.Engine;
using PromLake.Query.RemoteRead;

namespace PromLake.Query.Tests.RemoteRead;

/// <summary>The XOR chunk encoder against a hand-derived chunk and an independent reader.</summary>
public sealed class XorChunkTests
{
    [Fact]
    public void Encodes_a_small_chunk_to_the_bytes_derived_by_hand_from_the_format()
    {
        var chunk = new XorChunk();
        chunk.Append(1000, 1.0);
        chunk.Append(2000, 1.0);
        chunk.Append(3000, 2.0);
        chunk.Append(4001, 2.0);

        // 00 04: count. D0 0F: zig-zag varint of 1000. 3F F0 00…: 1.0. E8 07: delta 1000. Then bits:
        // 0 (same value) 0 (dod 0) 1 1 00001 001011 11111111111 (2.0: new window, 1 leading zero, 11 bits)
        // 10 00000000000001 (dod 1) 0 (same value), padded with zeros.
        byte[] expected = [0x00, 0x04, 0xD0, 0x0F, 0x3F, 0xF0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE8, 0x07, 0x30, 0x97, 0xFF, 0xE0, 0x00, 0x40];
        Assert.Equal(expected, chunk.ToArray());
        Assert.Equal(1000, chunk.MinTime);
        Assert.Equal(4001, chunk.MaxTime);
    }

    [Fact]
    public void Round_trips_every_timestamp_step_size_and_value_bit_for_bit()
    {
        var rng = new Random(42);
        var samples = new List<(long T, ulong Bits)>();
        long t = -5_000;
        double[] specials = [StaleMarker.Value, double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, double.Epsilon, double.MaxValue];
        long[] steps = [15_000, 15_000, 15_001, 14_000, 1, 8_192, -8_191, 60_000, 131_072, -131_071, 524_288, 3_000_000_000, 0];
        for (var i = 0; i < 120; i++)
        {
            t += Math.Abs(steps[i % steps.Length]) + (i % 3 == 0 ? 1 : 0);
            var v = (i % 7) switch
            {
                0 => specials[i / 7 % specials.Length],
                1 => rng.NextDouble() * 1e6,
                2 => Math.Round(rng.NextDouble() * 100),
                3 => samples.Count > 0 ? BitConverter.UInt64BitsToDouble(samples[^1].Bits) : 1,
                4 => -rng.NextDouble(),
                5 => 1L << rng.Next(60),
                _ => rng.NextDouble() * 1e-300,
            };
            samples.Add((t, BitConverter.DoubleToUInt64Bits(v)));
        }

        var chunk = new XorChunk();
        foreach (var (ts, bits) in samples)
        {
            chunk.Append(ts, BitConverter.UInt64BitsToDouble(bits));
        }

        Assert.True(chunk.IsFull);
        Assert.Equal(samples, XorChunkReader.Read(chunk.ToArray()));
    }

    [Fact]
    public void Round_trips_negative_and_large_delta_of_deltas()
    {
        long[] times = [0, 10_000, 10_001, 30_000, 30_002, 30_003, 1_000_000, 1_000_001, 10_000_000_000, 10_000_000_001, 10_000_131_073];
        var chunk = new XorChunk();
        foreach (var ts in times)
        {
            chunk.Append(ts, ts * 0.5);
        }

        var read = XorChunkReader.Read(chunk.ToArray());

        Assert.Equal(times, read.Select(s => s.T));
        Assert.Equal(times.Select(x => BitConverter.DoubleToUInt64Bits(x * 0.5)), read.Select(s => s.Bits));
    }

    [Fact]
    public void Frame_checksum_is_CRC32C_as_computed_from_the_polynomial()
    {
        var data = "123456789"u8.ToArray();

        Assert.Equal(0xE3069283u, ChunkedFrame.Crc32C(data));
        Assert.Equal(0xE3069283u, Crc32CReference.Compute(data));
        var random = new byte[1000];
        new Random(7).NextBytes(random);
        Assert.Equal(Crc32CReference.Compute(random), ChunkedFrame.Crc32C(random));
    }
}
