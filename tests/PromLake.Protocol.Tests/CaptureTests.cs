using PromLake.Protocol.Prompb;
using PromLake.Protocol.RemoteWrite;
using PromLake.Protocol.Snappy;

namespace PromLake.Protocol.Tests;

/// <summary>Requests exactly as Prometheus 2.42 sent them (../shared/captures).</summary>
public class CaptureTests
{
    private const ulong StaleMarker = 0x7ff0000000000002;

    [SkippableTheory]
    [InlineData("server")]
    [InlineData("agent")]
    public void Every_captured_request_decodes_as_the_reference_parser_reads_it(string mode)
    {
        var directory = SharedData.Captures(mode);
        Skip.If(directory is null, "../shared/captures is not present; capture tests skipped");

        var files = Directory.GetFiles(directory!, "*.snappy").Order().ToArray();
        Assert.NotEmpty(files);
        var decoded = new DecodedWriteRequest();
        foreach (var file in files)
        {
            var body = Decompress(File.ReadAllBytes(file));
            WriteRequestDecoder.Decode(decoded, body);
            var reference = WriteRequest.Parser.ParseFrom(body);
            Assert.Equal(SeriesModel.From(reference), SeriesModel.From(decoded));
            Assert.Equal(reference.Metadata.Count, decoded.FamilyMetadataCount);
        }
    }

    [SkippableFact]
    public void Agent_captures_carry_505_stale_markers_and_they_survive_decoding()
    {
        var directory = SharedData.Captures("agent");
        Skip.If(directory is null, "../shared/captures is not present; capture tests skipped");

        var decoded = new DecodedWriteRequest();
        var stale = 0;
        foreach (var file in Directory.GetFiles(directory!, "*.snappy"))
        {
            WriteRequestDecoder.Decode(decoded, Decompress(File.ReadAllBytes(file)));
            foreach (var sample in decoded.Samples)
            {
                stale += sample.ValueBits == StaleMarker ? 1 : 0;
            }
        }

        Assert.Equal(505, stale);
    }

    internal static byte[] Decompress(byte[] block)
    {
        Assert.True(SnappyBlock.TryGetDecompressedLength(block, out var length, out _));
        var body = new byte[length];
        Assert.True(SnappyBlock.TryDecompress(block, body, out var error), error);
        return body;
    }
}
