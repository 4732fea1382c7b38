using CsCheck;
using PromLake.Protocol.Snappy;

namespace PromLake.Protocol.Tests;

public class SnappyBlockTests
{
    [Fact]
    public void Reads_the_declared_length_from_the_header_without_decompressing()
    {
        // A snappy bomb: a few bytes that claim 2 GiB - 1 of output.
        byte[] bomb = [0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00];

        Assert.True(SnappyBlock.TryGetDecompressedLength(bomb, out var length, out _));
        Assert.Equal(int.MaxValue, length);
    }

    [Theory]
    [InlineData(new byte[0], "empty")]
    [InlineData(new byte[] { 0x80, 0x80 }, "malformed")]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "malformed")]
    public void Refuses_a_malformed_header(byte[] block, string expected)
    {
        Assert.False(SnappyBlock.TryGetDecompressedLength(block, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Round_trips_and_detects_corruption()
    {
        var data = new byte[10_000];
        new Random(7).NextBytes(data.AsSpan(0, 5000));
        var block = Snappier.Snappy.CompressToArray(data);

        Assert.True(SnappyBlock.TryGetDecompressedLength(block, out var length, out _));
        var output = new byte[length];
        Assert.True(SnappyBlock.TryDecompress(block, output, out _));
        Assert.Equal(data, output);

        var truncated = block[..(block.Length / 2)];
        Assert.False(SnappyBlock.TryDecompress(truncated, new byte[length], out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Corrupt_blocks_are_reported_never_thrown()
    {
        var data = new byte[4096];
        new Random(3).NextBytes(data.AsSpan(0, 2048));
        var block = Snappier.Snappy.CompressToArray(data);
        CsCheck.Gen.Select(CsCheck.Gen.Int[1, block.Length - 1], CsCheck.Gen.Byte[1, 255]).Sample(t =>
        {
            var corrupt = (byte[])block.Clone();
            corrupt[t.Item1] ^= t.Item2;
            var ok = SnappyBlock.TryDecompress(corrupt, new byte[data.Length], out var error);
            Assert.True(ok || error is not null);
        }, iter: 2000);
    }
}
