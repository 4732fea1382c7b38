using System.Buffers;
using System.Text;
using Parquet;
using Parquet.Data;
using PromLake.Storage.Series;

namespace PromLake.Storage.Parquet;

/// <summary>
/// Reads a block written by <see cref="SampleBlockWriter"/>. Opening reads only the
/// footer; <see cref="ReadAsync"/> then skips every row group whose statistics exclude
/// the query (metric name outside the group's min/max, or no timestamp in range) before
/// touching its pages, and filters the rows and list entries of the groups it reads.
/// Not thread-safe: one reader per caller.
/// </summary>
public sealed class SampleBlockReader : IAsyncDisposable
{
    private readonly ParquetReader _reader;
    private readonly BlockSchema _schema;

    private SampleBlockReader(ParquetReader reader, BlockSchema schema, IReadOnlyList<BlockRowGroup> rowGroups)
    {
        _reader = reader;
        _schema = schema;
        RowGroups = rowGroups;
    }

    /// <summary>The file's row groups with the statistics pruning uses.</summary>
    public IReadOnlyList<BlockRowGroup> RowGroups { get; }

    /// <summary>Opens a block; <paramref name="source"/> must be readable and seekable and stays open.</summary>
    /// <exception cref="InvalidDataException">The stream is not a PromLake block of a version this code reads.</exception>
    public static async Task<SampleBlockReader> OpenAsync(Stream source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var reader = await ParquetReader.CreateAsync(source, leaveStreamOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            reader.CustomMetadata.TryGetValue(BlockSchema.VersionKey, out var version);
            var schema = new BlockSchema(version ?? "(absent)");
            var groups = new List<BlockRowGroup>(reader.RowGroupCount);
            for (var i = 0; i < reader.RowGroupCount; i++)
            {
                var group = reader.OpenRowGroupReader(i);
                var names = group.GetStatistics(schema.MetricName);
                long min = long.MaxValue, max = long.MinValue;
                var timed = true;
                foreach (var field in schema.TimestampFields)
                {
                    var stats = group.GetStatistics(field);
                    var entries = group.GetMetadata(field)?.MetaData?.NumValues ?? 0;
                    if (stats?.NullCount is { } nulls && nulls >= entries)
                    {
                        continue; // no entry in this list anywhere in the group: its min/max say nothing
                    }

                    if (stats?.MinValue is long low && stats.MaxValue is long high)
                    {
                        min = Math.Min(min, low);
                        max = Math.Max(max, high);
                    }
                    else
                    {
                        timed = false; // no statistics: the group cannot be pruned by time
                    }
                }

                groups.Add(new BlockRowGroup(
                    i,
                    group.RowCount,
                    AsString(names?.MinValue),
                    AsString(names?.MaxValue),
                    timed ? min : long.MinValue,
                    timed ? max : long.MaxValue));
            }

            return new SampleBlockReader(reader, schema, groups);
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads the series that match <paramref name="query"/> (all of them by default).</summary>
    public async Task<BlockReadResult> ReadAsync(BlockQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= BlockQuery.All;
        var result = new BlockReadResult();
        foreach (var group in RowGroups)
        {
            if (!query.MayMatch(group))
            {
                result.RowGroupsSkipped++;
                continue;
            }

            result.RowGroupsRead++;
            await ReadGroupAsync(group.Index, query, result.Series, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// Every series of one row group (<see cref="RowGroups"/>), in block order: for a reader
    /// that walks a block a row group at a time instead of holding all of it (a merge).
    /// </summary>
    public async Task<List<StoredSeries>> ReadRowGroupAsync(int index, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RowGroups.Count);
        var series = new List<StoredSeries>(checked((int)RowGroups[index].Rows));
        await ReadGroupAsync(index, BlockQuery.All, series, cancellationToken).ConfigureAwait(false);
        return series;
    }

    /// <summary>
    /// Every series' float samples as two arrays each, timestamps and values, its native
    /// histograms and exemplars, and nothing else (no start timestamps or metadata): what a
    /// query cache keeps. Faster than <see cref="ReadAsync"/> by a wide margin: the columns are read
    /// into pooled buffers and each series' arrays are allocated once at their final size.
    /// Series with neither float samples, histograms nor exemplars are left out.
    /// </summary>
    public async Task<List<SeriesColumns>> ReadColumnsAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<SeriesColumns>();
        foreach (var group in RowGroups)
        {
            await ReadColumnsGroupAsync(group.Index, result, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task ReadColumnsGroupAsync(int index, List<SeriesColumns> output, CancellationToken ct)
    {
        var group = _reader.OpenRowGroupReader(index);
        var rowCount = checked((int)group.RowCount);
        var s = _schema;
        var names = await ReadLeafAsync<ReadOnlyMemory<char>>(group, s.MetricName, ct).ConfigureAwait(false);
        var wanted = new bool[rowCount];
        Array.Fill(wanted, true);
        var series = await ReadLabelsAsync(group, names, wanted, ct).ConfigureAwait(false);
        var floats = await ReadFloatColumnsAsync(group, rowCount, ct).ConfigureAwait(false);
        await ReadHistogramsAsync(group, BlockQuery.All, series, ct).ConfigureAwait(false);
        await ReadExemplarsAsync(group, BlockQuery.All, series, ct).ConfigureAwait(false);
        for (var row = 0; row < rowCount; row++)
        {
            var (timestamps, values, increasing) = floats[row];
            if (series[row] is { } one && (timestamps.Length > 0 || one.Histograms.Count > 0 || one.Exemplars.Count > 0))
            {
                output.Add(new SeriesColumns(one, timestamps, values, increasing));
            }
        }
    }

    /// <summary>Each row's float samples as two arrays (empty for a row without any).</summary>
    private async Task<(long[] Timestamps, double[] Values, bool StrictlyIncreasing)[]> ReadFloatColumnsAsync(ParquetRowGroupReader group, int rowCount, CancellationToken ct)
    {
        var s = _schema;
        var rows = new (long[], double[], bool)[rowCount];
        Array.Fill(rows, ([], [], true));
        var entries = checked((int)(group.GetMetadata(s.SampleTimestamp)?.MetaData?.NumValues ?? 0));
        var timestamps = ArrayPool<long>.Shared.Rent(entries);
        var repetitions = ArrayPool<int>.Shared.Rent(entries);
        var definitions = ArrayPool<int>.Shared.Rent(entries);
        var values = ArrayPool<double>.Shared.Rent(entries);
        var valueDefinitions = ArrayPool<int>.Shared.Rent(entries);
        var unused = ArrayPool<int>.Shared.Rent(entries); // levels Parquet.Net requires and the timestamps' already give
        var scaled = s.HasScaledValues ? ArrayPool<long>.Shared.Rent(entries) : [];
        var divisors = s.HasScaledValues ? ArrayPool<double>.Shared.Rent(rowCount) : [];
        var divisorDefinitions = s.HasScaledValues ? ArrayPool<int>.Shared.Rent(rowCount) : [];
        try
        {
            await group.ReadRawAsync<long>(s.SampleTimestamp, timestamps.AsMemory(0, entries), definitions.AsMemory(0, entries), repetitions.AsMemory(0, entries), ct).ConfigureAwait(false);
            await group.ReadRawAsync<double>(s.SampleValue, values.AsMemory(0, entries), valueDefinitions.AsMemory(0, entries), unused.AsMemory(0, entries), ct).ConfigureAwait(false);
            if (s.HasScaledValues)
            {
                await group.ReadRawAsync<long>(s.SampleScaled, scaled.AsMemory(0, entries), unused.AsMemory(0, entries), unused.AsMemory(0, entries), ct).ConfigureAwait(false);
                await group.ReadRawAsync<double>(s.ValueDivisor, divisors.AsMemory(0, rowCount), divisorDefinitions.AsMemory(0, rowCount), null, ct).ConfigureAwait(false);
            }

            int element = s.SampleTimestamp.MaxDefinitionLevel, valuePresent = s.SampleValue.MaxDefinitionLevel;
            int row = 0, at = 0, v = 0, dv = 0, sc = 0, dd = 0;
            while (at < entries)
            {
                // The row's entries: the first has repetition level 0, the rest more. An empty
                // list is one entry whose definition level says "no element".
                var end = at + 1;
                while (end < entries && repetitions[end] != 0)
                {
                    end++;
                }

                var divisor = double.NaN;
                if (s.HasScaledValues && divisorDefinitions[row] == 1)
                {
                    divisor = divisors[dd++];
                }

                var count = definitions[at] < element ? 0 : end - at;
                if (count > 0)
                {
                    var ts = new long[count];
                    var vs = new double[count];
                    var increasing = true;
                    for (var i = 0; i < count; i++)
                    {
                        ts[i] = timestamps[v + i];
                        increasing &= i == 0 || ts[i] > ts[i - 1];
                        // Version 2: a sample is a double or an integer m of the row's scale, m / 10^k (DecimalScale).
                        vs[i] = valueDefinitions[at + i] == valuePresent ? values[dv++]
                            : s.HasScaledValues ? scaled[sc++] / divisor
                            : throw new InvalidDataException($"sample {at + i} of a row group has neither a value nor a scaled value");
                    }

                    rows[row] = (ts, vs, increasing);
                }

                v += count;
                at = end;
                row++;
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(timestamps);
            ArrayPool<int>.Shared.Return(repetitions);
            ArrayPool<int>.Shared.Return(definitions);
            ArrayPool<double>.Shared.Return(values);
            ArrayPool<int>.Shared.Return(valueDefinitions);
            ArrayPool<int>.Shared.Return(unused);
            if (s.HasScaledValues)
            {
                ArrayPool<long>.Shared.Return(scaled);
                ArrayPool<double>.Shared.Return(divisors);
                ArrayPool<int>.Shared.Return(divisorDefinitions);
            }
        }

        return rows;
    }

    public ValueTask DisposeAsync() => _reader.DisposeAsync();

    private async Task ReadGroupAsync(int index, BlockQuery query, List<StoredSeries> output, CancellationToken ct)
    {
        var group = _reader.OpenRowGroupReader(index);
        var rowCount = checked((int)group.RowCount);
        var s = _schema;

        var names = await ReadLeafAsync<ReadOnlyMemory<char>>(group, s.MetricName, ct).ConfigureAwait(false);
        var wanted = new bool[rowCount];
        var any = false;
        for (var r = 0; r < rowCount; r++)
        {
            wanted[r] = query.MetricName is null || names.Values[r].Span.SequenceEqual(query.MetricName);
            any |= wanted[r];
        }

        if (!any)
        {
            return;
        }

        var series = await ReadLabelsAsync(group, names, wanted, ct).ConfigureAwait(false);
        await ReadSamplesAsync(group, query, series, ct).ConfigureAwait(false);
        await ReadHistogramsAsync(group, query, series, ct).ConfigureAwait(false);
        await ReadExemplarsAsync(group, query, series, ct).ConfigureAwait(false);
        await ReadMetadataAsync(group, series, ct).ConfigureAwait(false);

        foreach (var one in series)
        {
            if (one is not null && (!query.HasTimeRange || one.Samples.Count + one.Histograms.Count + one.Exemplars.Count > 0))
            {
                output.Add(one);
            }
        }
    }

    /// <summary>Creates the wanted rows' series from their metric names and label maps; null for the rest.</summary>
    private async Task<StoredSeries?[]> ReadLabelsAsync(ParquetRowGroupReader group, Leaf<ReadOnlyMemory<char>> names, bool[] wanted, CancellationToken ct)
    {
        var s = _schema;
        var series = new StoredSeries?[wanted.Length];
        var keys = await ReadLeafAsync<ReadOnlyMemory<char>>(group, s.LabelName, ct).ConfigureAwait(false);
        var values = await ReadLeafAsync<ReadOnlyMemory<char>>(group, s.LabelValue, ct).ConfigureAwait(false);
        var labels = new List<Label>();
        int row = -1, v = 0;
        for (var i = 0; i <= keys.RepetitionLevels.Length; i++)
        {
            if (i == keys.RepetitionLevels.Length || keys.RepetitionLevels[i] == 0)
            {
                if (row >= 0 && wanted[row])
                {
                    // An empty metric name means no __name__ label (Prometheus: an empty label is an absent one).
                    if (!names.Values[row].IsEmpty)
                    {
                        labels.Add(new Label(Label.MetricName, names.Values[row].ToString()));
                    }

                    series[row] = new StoredSeries(labels);
                }

                if (i == keys.RepetitionLevels.Length)
                {
                    break;
                }

                row++;
                labels.Clear();
            }

            if (keys.DefinitionLevels[i] == s.LabelName.MaxDefinitionLevel)
            {
                if (wanted[row])
                {
                    labels.Add(new Label(keys.Values[v].ToString(), values.Values[v].ToString()));
                }

                v++;
            }
        }

        return series;
    }

    private async Task ReadSamplesAsync(ParquetRowGroupReader group, BlockQuery query, StoredSeries?[] series, CancellationToken ct)
    {
        var s = _schema;
        var timestamps = await ReadLeafAsync<long>(group, s.SampleTimestamp, ct).ConfigureAwait(false);
        var values = await ReadLeafAsync<double>(group, s.SampleValue, ct).ConfigureAwait(false);
        var starts = await ReadLeafAsync<long>(group, s.SampleStart, ct).ConfigureAwait(false);
        var scaled = s.HasScaledValues ? await ReadLeafAsync<long>(group, s.SampleScaled, ct).ConfigureAwait(false) : null;
        var divisors = s.HasScaledValues ? await ReadLeafAsync<double>(group, s.ValueDivisor, ct).ConfigureAwait(false) : null;
        int element = s.SampleTimestamp.MaxDefinitionLevel, startPresent = s.SampleStart.MaxDefinitionLevel;
        int valuePresent = s.SampleValue.MaxDefinitionLevel, scaledPresent = s.SampleScaled.MaxDefinitionLevel;
        // Each list at its final size first: growing them by doubling allocated as much again as the samples and
        // left up to half of each list unused (the memory a merge holds).
        var counts = new int[series.Length];
        int counted = -1;
        for (var i = 0; i < timestamps.RepetitionLevels.Length; i++)
        {
            counted += timestamps.RepetitionLevels[i] == 0 ? 1 : 0;
            counts[counted] += timestamps.DefinitionLevels[i] == element ? 1 : 0;
        }

        for (var r = 0; r < series.Length; r++)
        {
            if (series[r] is { } target && counts[r] > 0)
            {
                target.Samples.EnsureCapacity(target.Samples.Count + counts[r]);
            }
        }

        int row = -1, v = 0, dv = 0, sv = 0, sc = 0, dd = 0;
        var divisor = double.NaN;
        for (var i = 0; i < timestamps.RepetitionLevels.Length; i++)
        {
            if (timestamps.RepetitionLevels[i] == 0)
            {
                row++;
                if (divisors is not null)
                {
                    divisor = divisors.DefinitionLevels[row] == 1 ? divisors.Values[dd++] : double.NaN;
                }
            }

            if (timestamps.DefinitionLevels[i] < element)
            {
                continue;
            }

            var start = starts.DefinitionLevels[i] == startPresent ? starts.Values[sv++] : 0;
            // Version 2: a sample is a double or an integer m of the row's scale, m / 10^k (DecimalScale).
            var value = values.DefinitionLevels[i] == valuePresent ? values.Values[dv++]
                : scaled is not null && scaled.DefinitionLevels[i] == scaledPresent ? scaled.Values[sc++] / divisor
                : throw new InvalidDataException($"sample {i} of a row group has neither a value nor a scaled value");
            var ts = timestamps.Values[v];
            if (series[row] is { } target && query.Contains(ts))
            {
                target.Samples.Add(new Sample(ts, value, start));
            }

            v++;
        }
    }

    private async Task ReadHistogramsAsync(ParquetRowGroupReader group, BlockQuery query, StoredSeries?[] series, CancellationToken ct)
    {
        var s = _schema;
        var timestamps = await ReadLeafAsync<long>(group, s.HistogramTimestamp, ct).ConfigureAwait(false);
        if (timestamps.Present == 0)
        {
            return;
        }

        var messages = await ReadLeafAsync<ReadOnlyMemory<byte>>(group, s.HistogramMessage, ct).ConfigureAwait(false);
        int element = s.HistogramTimestamp.MaxDefinitionLevel, row = -1, v = 0;
        for (var i = 0; i < timestamps.RepetitionLevels.Length; i++)
        {
            if (timestamps.RepetitionLevels[i] == 0)
            {
                row++;
            }

            if (timestamps.DefinitionLevels[i] < element)
            {
                continue;
            }

            var ts = timestamps.Values[v];
            if (series[row] is { } target && query.Contains(ts))
            {
                target.Histograms.Add(new HistogramSample(ts, messages.Values[v].ToArray()));
            }

            v++;
        }
    }

    private async Task ReadExemplarsAsync(ParquetRowGroupReader group, BlockQuery query, StoredSeries?[] series, CancellationToken ct)
    {
        var s = _schema;
        var timestamps = await ReadLeafAsync<long>(group, s.ExemplarTimestamp, ct).ConfigureAwait(false);
        if (timestamps.Present == 0)
        {
            return;
        }

        var values = await ReadLeafAsync<double>(group, s.ExemplarValue, ct).ConfigureAwait(false);
        var keys = await ReadLeafAsync<ReadOnlyMemory<char>>(group, s.ExemplarLabelName, ct).ConfigureAwait(false);
        var labelValues = await ReadLeafAsync<ReadOnlyMemory<char>>(group, s.ExemplarLabelValue, ct).ConfigureAwait(false);

        // The labels of exemplar k, in the order exemplars appear in the group.
        var labels = new List<List<Label>>(timestamps.Present);
        int element = s.ExemplarTimestamp.MaxDefinitionLevel, labelPresent = s.ExemplarLabelName.MaxDefinitionLevel, lv = 0;
        for (var i = 0; i < keys.RepetitionLevels.Length; i++)
        {
            if (keys.RepetitionLevels[i] <= 1 && keys.DefinitionLevels[i] >= element)
            {
                labels.Add([]);
            }

            if (keys.DefinitionLevels[i] == labelPresent)
            {
                labels[^1].Add(new Label(keys.Values[lv].ToString(), labelValues.Values[lv].ToString()));
                lv++;
            }
        }

        int row = -1, v = 0;
        for (var i = 0; i < timestamps.RepetitionLevels.Length; i++)
        {
            if (timestamps.RepetitionLevels[i] == 0)
            {
                row++;
            }

            if (timestamps.DefinitionLevels[i] < element)
            {
                continue;
            }

            var ts = timestamps.Values[v];
            if (series[row] is { } target && query.Contains(ts))
            {
                target.Exemplars.Add(new Exemplar(ts, values.Values[v], [.. labels[v]]));
            }

            v++;
        }
    }

    private async Task ReadMetadataAsync(ParquetRowGroupReader group, StoredSeries?[] series, CancellationToken ct)
    {
        var s = _schema;
        var types = await ReadLeafAsync<ReadOnlyMemory<char>>(group, s.MetricType, ct).ConfigureAwait(false);
        if (types.Present == 0)
        {
            return;
        }

        var helps = await ReadLeafAsync<ReadOnlyMemory<char>>(group, s.MetricHelp, ct).ConfigureAwait(false);
        var units = await ReadLeafAsync<ReadOnlyMemory<char>>(group, s.MetricUnit, ct).ConfigureAwait(false);
        int t = 0, h = 0, u = 0;
        for (var row = 0; row < series.Length; row++)
        {
            string? type = types.DefinitionLevels[row] == 1 ? types.Values[t++].ToString() : null;
            string? help = helps.DefinitionLevels[row] == 1 ? helps.Values[h++].ToString() : null;
            string? unit = units.DefinitionLevels[row] == 1 ? units.Values[u++].ToString() : null;
            if (series[row] is { } target && type is not null)
            {
                target.Metadata = new SeriesMetadata(SeriesMetadata.ParseTypeName(type), help ?? "", unit ?? "");
            }
        }
    }

    /// <summary>Reads a whole leaf column: its defined values and the levels of every entry.</summary>
    private static async Task<Leaf<T>> ReadLeafAsync<T>(ParquetRowGroupReader group, global::Parquet.Schema.DataField field, CancellationToken ct)
        where T : struct
    {
        var entries = checked((int)(group.GetMetadata(field)?.MetaData?.NumValues ?? 0));
        var values = new T[entries];
        var definitions = new int[entries];
        var repetitions = new int[entries];
        await group.ReadRawAsync<T>(field, values, definitions, repetitions, ct).ConfigureAwait(false);
        var present = 0;
        foreach (var level in definitions)
        {
            present += level == field.MaxDefinitionLevel ? 1 : 0;
        }

        return new Leaf<T>(values, definitions, repetitions, present);
    }

    /// <summary>A leaf column: <paramref name="Present"/> defined values first in <paramref name="Values"/>, and the levels of every entry.</summary>
    private sealed record Leaf<T>(T[] Values, int[] DefinitionLevels, int[] RepetitionLevels, int Present);

    private static string? AsString(object? value) => value switch
    {
        null => null,
        string text => text,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        ReadOnlyMemory<char> chars => chars.ToString(),
        _ => value.ToString(),
    };
}

/// <summary>
/// One series' samples as a block holds them, for readers that keep columns.
/// </summary>
/// <param name="Series">The series' labels and id, its native histograms and exemplars; its float sample list is empty.</param>
/// <param name="Timestamps">Milliseconds, in the block's order (by time).</param>
/// <param name="Values">Bit for bit as stored (stale markers included).</param>
/// <param name="StrictlyIncreasing">No two samples share a timestamp.</param>
public sealed record SeriesColumns(StoredSeries Series, long[] Timestamps, double[] Values, bool StrictlyIncreasing);
