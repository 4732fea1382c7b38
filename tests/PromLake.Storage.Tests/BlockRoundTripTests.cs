using CsCheck;
using PromLake.Storage.Parquet;
using PromLake.Storage.Series;

namespace PromLake.Storage.Tests;

public class BlockRoundTripTests
{
    [Fact]
    public void Any_series_read_back_exactly_including_NaN_payloads_stale_markers_signed_zero_and_duplicate_timestamps()
    {
        // Both layouts: values scaled where they can be (version 2) and all doubles (version 1).
        Gen.Select(StorageGenerators.Series.Array[0, 12], Gen.Int[1, 40], Gen.Enum<SampleValueEncoding>(), Gen.Bool).Sample(t =>
        {
            var (series, rowGroupElements, encoding, scaled) = t;
            var block = BlockAssert.Write(series, new SampleBlockWriterOptions { RowGroupTargetElements = rowGroupElements, ValueEncoding = encoding, ScaledValues = scaled });

            var read = BlockAssert.Read(block);

            BlockAssert.Equal(StorageGenerators.Expected(series), read.Series);
        }, iter: 200);
    }

    [Fact]
    public void The_columns_read_are_the_full_read_s_float_samples_histograms_and_exemplars_bit_for_bit()
    {
        // The query cache's fast path against the reader every other path uses: the same
        // series in the same order (those with no floats, histograms or exemplars left out), the
        // same timestamps and value bits, histogram messages and exemplars, in both layouts and across
        // row-group boundaries.
        Gen.Select(StorageGenerators.Series.Array[0, 12], Gen.Int[1, 40], Gen.Enum<SampleValueEncoding>(), Gen.Bool).Sample(t =>
        {
            var (series, rowGroupElements, encoding, scaled) = t;
            var block = BlockAssert.Write(series, new SampleBlockWriterOptions { RowGroupTargetElements = rowGroupElements, ValueEncoding = encoding, ScaledValues = scaled });

            var expected = BlockAssert.Read(block).Series.Where(s => s.Samples.Count + s.Histograms.Count + s.Exemplars.Count > 0).ToList();
            var columns = BlockAssert.ReadColumns(block);

            Assert.Equal(expected.Count, columns.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Labels, columns[i].Series.Labels);
                Assert.Equal(expected[i].Id, columns[i].Series.Id);
                Assert.Equal(expected[i].Samples.Select(s => s.Timestamp), columns[i].Timestamps);
                Assert.Equal(expected[i].Samples.Select(s => BitConverter.DoubleToUInt64Bits(s.Value)), columns[i].Values.Select(BitConverter.DoubleToUInt64Bits));
                var increasing = expected[i].Samples.Zip(expected[i].Samples.Skip(1)).All(p => p.First.Timestamp < p.Second.Timestamp);
                Assert.Equal(increasing, columns[i].StrictlyIncreasing);
                Assert.Equal(expected[i].Histograms.Select(h => (h.Timestamp, Convert.ToHexString(h.Message.Span))), columns[i].Series.Histograms.Select(h => (h.Timestamp, Convert.ToHexString(h.Message.Span))));
                Assert.Equal(expected[i].Exemplars.Select(e => (e.Timestamp, BitConverter.DoubleToUInt64Bits(e.Value), string.Join(",", e.Labels))), columns[i].Series.Exemplars.Select(e => (e.Timestamp, BitConverter.DoubleToUInt64Bits(e.Value), string.Join(",", e.Labels))));
                Assert.Empty(columns[i].Series.Samples);
            }
        }, iter: 200);
    }

    [Fact]
    public void Stale_markers_and_special_values_keep_every_bit()
    {
        ulong[] bits = [StorageGenerators.StaleMarkerBits, 0x7ff8000000000001, 0xfff8000000000000, 0x7ff4000000000000, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000, 1, 0];
        var series = new StoredSeries([new Label(Label.MetricName, "up"), new Label("job", "node")]);
        for (var i = 0; i < bits.Length; i++)
        {
            series.Samples.Add(new Sample(1_700_000_000_000 + (i * 15_000), BitConverter.UInt64BitsToDouble(bits[i])));
        }

        var read = BlockAssert.Read(BlockAssert.Write([series])).Series.Single();

        Assert.Equal(bits, read.Samples.Select(s => BitConverter.DoubleToUInt64Bits(s.Value)));
    }

    [Fact]
    public void Decimal_values_read_back_exactly_at_every_scale_next_to_values_that_stay_doubles()
    {
        var decimals = Gen.Select(Gen.Long[-10_000_000_000_000, 10_000_000_000_000], Gen.Int[0, DecimalScale.MaxScale + 2]).Select(t => t.Item1 / Math.Pow(10, t.Item2));
        Gen.OneOf(decimals, decimals, StorageGenerators.AnyDouble).Array[1, 30].Sample(values =>
        {
            var series = new StoredSeries([new Label(Label.MetricName, "m")]);
            for (var i = 0; i < values.Length; i++)
            {
                series.Samples.Add(new Sample(i, values[i]));
            }

            var read = BlockAssert.Read(BlockAssert.Write([series])).Series.Single();

            Assert.Equal(values.Select(BitConverter.DoubleToUInt64Bits), read.Samples.Select(s => BitConverter.DoubleToUInt64Bits(s.Value)));
        }, iter: 500);
    }

    [Fact]
    public void Series_that_move_in_steps_of_a_common_factor_read_back_exactly_whichever_way_they_are_stored()
    {
        // Divisors 10^k / factor, the power-of-two part of the factor, or the series kept as
        // doubles by the trial: every value must come back bit for bit.
        Gen.Select(StorageGenerators.SteppedSeries.Array[1, 4], Gen.Bool, Gen.Bool).Sample(t =>
        {
            var (seriesValues, commonFactor, scaleTrial) = t;
            var series = new List<StoredSeries>();
            for (var i = 0; i < seriesValues.Length; i++)
            {
                var one = new StoredSeries([new Label(Label.MetricName, "m"), new Label("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
                for (var j = 0; j < seriesValues[i].Length; j++)
                {
                    one.Samples.Add(new Sample(j, seriesValues[i][j]));
                }

                series.Add(one);
            }

            var read = BlockAssert.Read(BlockAssert.Write(series, new SampleBlockWriterOptions { CommonFactor = commonFactor, ScaleTrial = scaleTrial })).Series;

            for (var i = 0; i < seriesValues.Length; i++)
            {
                Assert.Equal(seriesValues[i].Select(BitConverter.DoubleToUInt64Bits), read[i].Samples.Select(s => BitConverter.DoubleToUInt64Bits(s.Value)));
            }
        }, iter: 200);
    }

    [Fact]
    public async Task A_block_of_the_version_1_layout_is_still_read()
    {
        var series = DuckDbQueryTests.NodeSeries(hosts: 2, samplesPerSeries: 5);
        var block = BlockAssert.Write(series, new SampleBlockWriterOptions { ScaledValues = false });

        using var stream = new MemoryStream(block);
        await using (var parquet = await global::Parquet.ParquetReader.CreateAsync(stream))
        {
            Assert.Equal("1", parquet.CustomMetadata["promlake.block"]);
        }

        BlockAssert.Equal(StorageGenerators.Expected(series), BlockAssert.Read(block).Series);
    }

    [Fact]
    public void Equal_timestamps_stay_in_the_order_given_and_entries_of_one_series_merge()
    {
        Label[] labels = [new(Label.MetricName, "m"), new("a", "1")];
        var first = new StoredSeries(labels);
        first.Samples.Add(new Sample(20, 1));
        first.Samples.Add(new Sample(10, 2));
        var second = new StoredSeries(labels) { Metadata = new SeriesMetadata(MetricType.Gauge, "help", "") };
        second.Samples.Add(new Sample(20, 3));
        second.Samples.Add(new Sample(10, 4));

        var read = BlockAssert.Read(BlockAssert.Write([first, second])).Series.Single();

        Assert.Equal([(10L, 2.0), (10, 4), (20, 1), (20, 3)], read.Samples.Select(s => (s.Timestamp, s.Value)));
        Assert.Equal(MetricType.Gauge, read.Metadata?.Type);
    }

    [Fact]
    public void The_same_series_in_any_order_give_the_same_bytes()
    {
        Gen.Select(StorageGenerators.Series.Array[1, 10], Gen.Int).Sample(t =>
        {
            var (series, seed) = t;
            var shuffled = series.ToArray();
            new Random(seed).Shuffle(shuffled);

            // Merged entries of one series keep their relative order, so compare against a
            // shuffle that only moves distinct series.
            var distinct = StorageGenerators.Expected(series);
            var reordered = distinct.ToArray();
            new Random(seed).Shuffle(reordered);

            Assert.Equal(BlockAssert.Write(distinct), BlockAssert.Write(reordered));
        }, iter: 50);
    }

    [Fact]
    public void An_empty_block_is_a_valid_file_with_no_series()
    {
        var read = BlockAssert.Read(BlockAssert.Write([]));

        Assert.Empty(read.Series);
    }

    [Fact]
    public async Task A_file_that_is_not_a_block_is_refused()
    {
        using var stream = new MemoryStream();
        var schema = new global::Parquet.Schema.ParquetSchema(new global::Parquet.Schema.DataField<int>("x"));
        await using (var writer = await global::Parquet.ParquetWriter.CreateAsync(schema, stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<int>(schema.DataFields[0], new[] { 1 });
        }

        stream.Position = 0;
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => SampleBlockReader.OpenAsync(stream));
        Assert.Contains("promlake.block", error.Message);
    }
}
