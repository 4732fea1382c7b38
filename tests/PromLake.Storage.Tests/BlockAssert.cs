using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Storage.Tests;

/// <summary>Bit-exact comparison of series, and write/read helpers.</summary>
public static class BlockAssert
{
    public static void Equal(IReadOnlyList<StoredSeries> expected, IReadOnlyList<StoredSeries> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal(e.Labels, a.Labels);
            Assert.Equal(e.MetricName, a.MetricName);
            Assert.Equal(e.Samples.Count, a.Samples.Count);
            for (var j = 0; j < e.Samples.Count; j++)
            {
                Assert.Equal(e.Samples[j].Timestamp, a.Samples[j].Timestamp);
                Assert.Equal(BitConverter.DoubleToUInt64Bits(e.Samples[j].Value), BitConverter.DoubleToUInt64Bits(a.Samples[j].Value));
                Assert.Equal(e.Samples[j].StartTimestamp, a.Samples[j].StartTimestamp);
            }

            Assert.Equal(e.Histograms.Count, a.Histograms.Count);
            for (var j = 0; j < e.Histograms.Count; j++)
            {
                Assert.Equal(e.Histograms[j].Timestamp, a.Histograms[j].Timestamp);
                Assert.Equal(e.Histograms[j].Message.ToArray(), a.Histograms[j].Message.ToArray());
            }

            Assert.Equal(e.Exemplars.Count, a.Exemplars.Count);
            for (var j = 0; j < e.Exemplars.Count; j++)
            {
                Assert.Equal(e.Exemplars[j].Timestamp, a.Exemplars[j].Timestamp);
                Assert.Equal(BitConverter.DoubleToUInt64Bits(e.Exemplars[j].Value), BitConverter.DoubleToUInt64Bits(a.Exemplars[j].Value));
                Assert.Equal(e.Exemplars[j].Labels, a.Exemplars[j].Labels);
            }

            Assert.Equal(e.Metadata, a.Metadata);
        }
    }

    public static byte[] Write(IEnumerable<StoredSeries> series, SampleBlockWriterOptions? options = null)
    {
        using var stream = new MemoryStream();
        new SampleBlockWriter(options).WriteAsync(series, stream).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    public static List<SeriesColumns> ReadColumns(byte[] block)
    {
        using var stream = new MemoryStream(block, writable: false);
        var reader = SampleBlockReader.OpenAsync(stream).GetAwaiter().GetResult();
        try
        {
            return reader.ReadColumnsAsync().GetAwaiter().GetResult();
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    public static BlockReadResult Read(byte[] block, BlockQuery? query = null)
    {
        using var stream = new MemoryStream(block, writable: false);
        var reader = SampleBlockReader.OpenAsync(stream).GetAwaiter().GetResult();
        try
        {
            return reader.ReadAsync(query).GetAwaiter().GetResult();
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
