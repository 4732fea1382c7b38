using CsCheck;
using Google.Protobuf;
using PromLake.Protocol.Prompb;
using PromLake.Protocol.RemoteWrite;
using PromLake.Protocol.Wire;
using V2 = PromLake.Protocol.WriteV2;

namespace PromLake.Protocol.Tests;

public class WriteRequestDecoderTests
{
    [Fact]
    public void Decodes_any_v1_request_exactly_as_the_reference_parser_does()
    {
        Generators.WriteRequestV1.Sample(request =>
        {
            var decoded = new DecodedWriteRequest();
            var body = request.ToByteArray();
            WriteRequestDecoder.Decode(decoded, body);
            Assert.Equal(SeriesModel.From(request), SeriesModel.From(decoded));
            Assert.Equal(request.Metadata.Count, decoded.FamilyMetadataCount);
        }, iter: 500);
    }

    [Fact]
    public void Decodes_any_v2_request_exactly_as_the_reference_parser_does()
    {
        Generators.WriteRequestV2.Sample(request =>
        {
            var decoded = new DecodedWriteRequest();
            var body = request.ToByteArray();
            WriteV2RequestDecoder.Decode(decoded, body);
            Assert.Equal(SeriesModel.From(request), SeriesModel.From(decoded));
            foreach (var s in decoded.Series)
            {
                Assert.Null(s.Defect);
            }
        }, iter: 500);
    }

    [Fact]
    public void Keeps_the_stale_marker_bit_for_bit()
    {
        var request = new WriteRequest();
        var series = new TimeSeries();
        series.Labels.Add(new Label { Name = "__name__", Value = "up" });
        series.Samples.Add(new Sample { Value = BitConverter.UInt64BitsToDouble(0x7ff0000000000002), Timestamp = 1 });
        request.Timeseries.Add(series);

        var decoded = new DecodedWriteRequest();
        WriteRequestDecoder.Decode(decoded, request.ToByteArray());

        Assert.Equal(0x7ff0000000000002UL, decoded.Samples[0].ValueBits);
    }

    [Fact]
    public void Malformed_bytes_only_ever_raise_a_wire_format_error()
    {
        Gen.Select(Generators.WriteRequestV1, Gen.Int, Gen.Byte, Gen.Int[0, 3]).Sample(t =>
        {
            var decoded = new DecodedWriteRequest();
            var (request, position, value, mutation) = t;
            var bytes = request.ToByteArray();
            if (bytes.Length == 0)
            {
                return;
            }

            var at = (int)((uint)position % bytes.Length);
            bytes = mutation switch
            {
                0 => bytes[..at],
                1 => Flip(bytes, at, value),
                2 => [.. bytes[..at], value, .. bytes[at..]],
                _ => [.. bytes, .. bytes[..at]],
            };
            foreach (var decode in new Action<byte[]>[] { b => WriteRequestDecoder.Decode(decoded, b), b => WriteV2RequestDecoder.Decode(decoded, b) })
            {
                try
                {
                    decode(bytes);
                }
                catch (WireFormatException)
                {
                }
            }
        }, iter: 2000);

        static byte[] Flip(byte[] b, int at, byte value)
        {
            var copy = (byte[])b.Clone();
            copy[at] ^= (byte)(value | 1);
            return copy;
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x05, 0x0A }, "runs past the end")]
    [InlineData(new byte[] { 0x0A, 0x80 }, "truncated varint")]
    [InlineData(new byte[] { 0x08, 0x01 }, "wire type 0, expected 2")]
    [InlineData(new byte[] { 0x0A, 0x04, 0x12, 0x02, 0x09, 0x01 }, "truncated fixed64")]
    [InlineData(new byte[] { 0x0A, 0x0C, 0x12, 0x09, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f }, "runs past the end")]
    [InlineData(new byte[] { 0x0A, 0x0B, 0x0A, 0x0B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "runs past the end")]
    [InlineData(new byte[] { 0x0B }, "wire type 3")]
    public void Names_what_is_malformed(byte[] body, string expected)
    {
        var e = Assert.Throws<WireFormatException>(() => WriteRequestDecoder.Decode(new DecodedWriteRequest(), body));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Refuses_a_v2_symbol_table_that_does_not_start_with_the_empty_string()
    {
        var request = new V2.Request();
        request.Symbols.Add("__name__");
        request.Symbols.Add("up");

        var e = Assert.Throws<WireFormatException>(() => WriteV2RequestDecoder.Decode(new DecodedWriteRequest(), request.ToByteArray()));
        Assert.Contains("symbols[0]", e.Message);
    }

    [Fact]
    public void Marks_v2_series_that_break_the_symbol_rules_and_keeps_the_rest()
    {
        var request = new V2.Request();
        request.Symbols.Add(new[] { "", "__name__", "up", "job" });
        V2.TimeSeries Series(params uint[] refs)
        {
            var s = new V2.TimeSeries { Samples = { new V2.Sample { Value = 1, Timestamp = 1 } } };
            s.LabelsRefs.Add(refs);
            return s;
        }

        request.Timeseries.Add(Series(1, 2));
        request.Timeseries.Add(Series(1, 9));
        request.Timeseries.Add(Series(1, 2, 3));
        var both = Series(1, 2);
        both.Histograms.Add(new V2.Histogram { CountInt = 1, Timestamp = 1 });
        request.Timeseries.Add(both);

        var decoded = new DecodedWriteRequest();
        WriteV2RequestDecoder.Decode(decoded, request.ToByteArray());

        Assert.Null(decoded.Series[0].Defect);
        Assert.Contains("past the end of the symbol table", decoded.Series[1].Defect);
        Assert.Contains("odd length", decoded.Series[2].Defect);
        Assert.Contains("both samples and histograms", decoded.Series[3].Defect);
    }

    [Fact]
    public void Accepts_unpacked_label_references()
    {
        // proto3 parsers must accept a repeated scalar written unpacked.
        byte[] series = [0x08, 0x01, 0x08, 0x02, 0x12, 0x0B, 0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x10, 0x05];
        byte[] body = [0x22, 0x00, 0x22, 0x08, .. "__name__"u8, 0x22, 0x02, .. "up"u8, 0x2A, (byte)series.Length, .. series];

        var decoded = new DecodedWriteRequest();
        WriteV2RequestDecoder.Decode(decoded, body);

        Assert.Equal("{__name__=up}", SeriesModel.From(decoded)[0].Labels);
        Assert.Equal(5, decoded.Samples[0].Timestamp);
    }
}
