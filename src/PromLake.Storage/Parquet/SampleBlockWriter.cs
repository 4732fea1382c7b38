using Parquet;
using Histogram = PromLake.Protocol.WriteV2.Histogram;
using PromLake.Storage.Series;

namespace PromLake.Storage.Parquet;

/// <summary>
/// Writes one block: a set of series with their samples, histograms, exemplars and
/// metadata, as one Parquet file in the <see cref="BlockSchema"/> layout.
/// <para>
/// Output is deterministic: the same series give the same bytes whatever order they
/// come in, so a compactor that repeats a flush rewrites an identical blob. Series are
/// sorted by <see cref="SeriesOrder"/>; two entries with the same labels are merged into
/// one row (their samples kept, equal timestamps in input order: deduplication is the
/// caller's decision, not the format's); each list is sorted by timestamp with a stable
/// sort.
/// </para>
/// Thread-safe: the writer holds only its options.
/// </summary>
public sealed class SampleBlockWriter
{
    private readonly SampleBlockWriterOptions _options;
    private readonly BlockSchema _schema;

    public SampleBlockWriter(SampleBlockWriterOptions? options = null)
    {
        _options = options ?? new SampleBlockWriterOptions();
        _options.Validate();
        _schema = new BlockSchema(_options.ScaledValues ? BlockSchema.CurrentVersion : BlockSchema.UnscaledVersion);
    }

    /// <summary>Writes <paramref name="series"/> to <paramref name="destination"/>, which must be writable and seekable.</summary>
    public async Task<BlockWriteSummary> WriteAsync(IEnumerable<StoredSeries> series, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(destination);
        return await WriteRowsAsync(BlockRows.From(series), destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes rows that are already in block order, one per series, each list in time order.</summary>
    internal async Task<BlockWriteSummary> WriteRowsAsync(List<BlockRow> rows, Stream destination, CancellationToken cancellationToken)
    {
        await using var session = await OpenAsync(destination, cancellationToken).ConfigureAwait(false);
        await session.AppendAsync(rows, cancellationToken).ConfigureAwait(false);
        return await session.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a block whose rows come in several calls (a merge, metric by metric), so that
    /// only a row group's rows are held at a time. The rows of all calls together must be in
    /// block order; the file is the same, byte for byte, as <see cref="WriteRowsAsync"/> of
    /// all of them at once.
    /// </summary>
    internal async Task<Session> OpenAsync(Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var parquetOptions = new ParquetOptions
        {
            CompressionMethod = CompressionMethod.Zstd,
            CompressionLevel = _options.Compression,
        };

        // Chosen by measurement (README.md): dictionaries for the strings; DELTA_BINARY_PACKED
        // for timestamps (a regular interval packs to a few bits, and the identical timestamp
        // sequences of one target's series repeat for zstd); sample values per row group below.
        var hints = parquetOptions.ColumnEncodingHints;
        foreach (var field in new[] { _schema.MetricName, _schema.LabelName, _schema.LabelValue, _schema.ExemplarLabelName, _schema.ExemplarLabelValue, _schema.MetricType, _schema.MetricHelp, _schema.MetricUnit })
        {
            hints[field.Path.ToString()] = EncodingHint.Dictionary;
        }

        foreach (var field in new[] { _schema.SampleTimestamp, _schema.SampleScaled, _schema.SampleStart, _schema.HistogramTimestamp, _schema.ExemplarTimestamp })
        {
            hints[field.Path.ToString()] = EncodingHint.DeltaBinaryPacked;
        }

        hints[_schema.ExemplarValue.Path.ToString()] = EncodingHint.ByteSplitStream;
        var writer = await ParquetWriter.CreateAsync(_schema.Schema, destination, parquetOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
        writer.CustomMetadata = new Dictionary<string, string> { [BlockSchema.VersionKey] = _schema.Version };
        return new Session(writer, hints, _schema, _options);
    }

    /// <summary>One block being written: rows are held until they fill a row group, then written.</summary>
    internal sealed class Session : IAsyncDisposable
    {
        private readonly ParquetWriter _writer;
        private readonly IDictionary<string, EncodingHint> _hints;
        private readonly SampleBlockWriterOptions _options;
        private readonly RowGroupColumns _columns;
        private readonly string _sampleValue;
        private readonly List<BlockRow> _pending = [];
        private readonly BlockWriteSummary _summary = new();
        private long _pendingElements;
        private bool _completed;

        internal Session(ParquetWriter writer, IDictionary<string, EncodingHint> hints, BlockSchema schema, SampleBlockWriterOptions options)
        {
            _writer = writer;
            _hints = hints;
            _options = options;
            _columns = new RowGroupColumns(schema, options);
            _sampleValue = schema.SampleValue.Path.ToString();
        }

        /// <summary>Adds rows after those of earlier calls; writes each row group as soon as it is full.</summary>
        public async Task AppendAsync(List<BlockRow> rows, CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            foreach (var row in rows)
            {
                // A group ends with the row that takes it to the target, so a series is never split.
                _pending.Add(row);
                _pendingElements += row.Elements;
                _summary.Series++;
                if (_pendingElements >= _options.RowGroupTargetElements)
                {
                    await WriteGroupAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>Writes the last row group and the footer.</summary>
        public async Task<BlockWriteSummary> CompleteAsync(CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            if (_pending.Count > 0)
            {
                await WriteGroupAsync(cancellationToken).ConfigureAwait(false);
            }

            _completed = true;
            _columns.Dispose();
            await _writer.DisposeAsync().ConfigureAwait(false);
            return _summary;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_completed)
            {
                _completed = true;
                _columns.Dispose();
                await _writer.DisposeAsync().ConfigureAwait(false);
            }
        }

        private async Task WriteGroupAsync(CancellationToken cancellationToken)
        {
            _columns.Fill(_pending, 0, _pending.Count, _summary);

            // Parquet.Net reads the hints as it writes each column chunk, so they can differ per row group.
            var plain = _options.ValueEncoding == SampleValueEncoding.Plain
                || (_options.ValueEncoding == SampleValueEncoding.Auto && ValueEncodingTrial.PlainIsSmaller(_columns.SampleValues));
            if (plain)
            {
                _hints.Remove(_sampleValue);
            }
            else
            {
                _hints[_sampleValue] = EncodingHint.ByteSplitStream;
            }

            await _columns.WriteAsync(_writer, cancellationToken).ConfigureAwait(false);
            _summary.RowGroups++;
            _pending.Clear();
            _pendingElements = 0;
        }
    }

    /// <summary>The column buffers of one row group, reused from group to group.</summary>
    private sealed class RowGroupColumns(BlockSchema schema, SampleBlockWriterOptions options) : IDisposable
    {
        private readonly ColumnBuffer<ReadOnlyMemory<char>> _metricNames = new();
        private readonly ScaleTrial? _scaleTrial = options.ScaleTrial ? new ScaleTrial() : null;
        private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
        private readonly LevelledColumn<ReadOnlyMemory<char>> _labelNames = new();
        private readonly ColumnBuffer<ReadOnlyMemory<char>> _labelValues = new();

        private readonly LevelledColumn<long> _sampleTimestamps = new();
        private readonly LevelledColumn<double> _sampleValues = new();
        private readonly LevelledColumn<long> _sampleScaled = new();
        private readonly LevelledColumn<double> _valueDivisors = new();
        private readonly LevelledColumn<long> _sampleStarts = new();
        private readonly ColumnBuffer<long> _scratchTimestamps = new();
        private readonly ColumnBuffer<double> _scratchValues = new();
        private readonly ColumnBuffer<long> _scratchStarts = new();
        private readonly ColumnBuffer<long> _scratchScaled = new();

        private readonly LevelledColumn<long> _histogramTimestamps = new();
        private readonly ColumnBuffer<double> _histogramCounts = new();
        private readonly ColumnBuffer<double> _histogramSums = new();
        private readonly ColumnBuffer<ReadOnlyMemory<byte>> _histogramMessages = new();

        private readonly LevelledColumn<long> _exemplarTimestamps = new();
        private readonly ColumnBuffer<double> _exemplarValues = new();
        private readonly LevelledColumn<ReadOnlyMemory<char>> _exemplarLabelNames = new();
        private readonly ColumnBuffer<ReadOnlyMemory<char>> _exemplarLabelValues = new();

        private readonly LevelledColumn<ReadOnlyMemory<char>> _types = new();
        private readonly LevelledColumn<ReadOnlyMemory<char>> _helps = new();
        private readonly LevelledColumn<ReadOnlyMemory<char>> _units = new();

        // Definition levels follow from the schema (lists and maps are optional groups in
        // Parquet.Net's layout, list elements optional structs): a present leaf has its
        // field's maximum, an empty list or map stops one level below its repeated group.
        private readonly int _labelPresent = schema.LabelName.MaxDefinitionLevel;
        private readonly int _elementPresent = schema.SampleTimestamp.MaxDefinitionLevel;
        private readonly int _startPresent = schema.SampleStart.MaxDefinitionLevel;
        private readonly int _valuePresent = schema.SampleValue.MaxDefinitionLevel;
        private readonly int _scaledPresent = schema.SampleScaled.MaxDefinitionLevel;
        private readonly int _exemplarLabelPresent = schema.ExemplarLabelName.MaxDefinitionLevel;

        /// <summary>The values stored as doubles (those that are not scaled integers).</summary>
        public ReadOnlySpan<double> SampleValues => _sampleValues.Values;

        public void Fill(List<BlockRow> rows, int start, int end, BlockWriteSummary summary)
        {
            Clear();
            for (var r = start; r < end; r++)
            {
                var row = rows[r];
                _metricNames.Add(row.MetricName.AsMemory());
                if (row.LabelColumns is { } labels)
                {
                    AddLabels(labels);
                }
                else
                {
                    AddLabels(row.Labels);
                }

                AddSamples(row, summary);
                AddHistograms(row.Histograms, summary);
                AddExemplars(row.Exemplars, summary);
                AddMetadata(row.Metadata);
            }
        }

        public async Task WriteAsync(ParquetWriter writer, CancellationToken cancellationToken)
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(schema.MetricName, _metricNames.Memory, cancellationToken: cancellationToken).ConfigureAwait(false);
            await _labelNames.WriteAsync(group, schema.LabelName, cancellationToken).ConfigureAwait(false);
            await _labelNames.WriteAsync(group, schema.LabelValue, _labelValues, cancellationToken).ConfigureAwait(false);

            await _sampleTimestamps.WriteAsync(group, schema.SampleTimestamp, cancellationToken).ConfigureAwait(false);
            await _sampleValues.WriteAsync(group, schema.SampleValue, cancellationToken).ConfigureAwait(false);
            if (schema.HasScaledValues)
            {
                await _sampleScaled.WriteAsync(group, schema.SampleScaled, cancellationToken).ConfigureAwait(false);
            }

            await _sampleStarts.WriteAsync(group, schema.SampleStart, cancellationToken).ConfigureAwait(false);
            if (schema.HasScaledValues)
            {
                await _valueDivisors.WriteAsync(group, schema.ValueDivisor, cancellationToken).ConfigureAwait(false);
            }

            await _histogramTimestamps.WriteAsync(group, schema.HistogramTimestamp, cancellationToken).ConfigureAwait(false);
            await _histogramTimestamps.WriteAsync(group, schema.HistogramCount, _histogramCounts, cancellationToken).ConfigureAwait(false);
            await _histogramTimestamps.WriteAsync(group, schema.HistogramSum, _histogramSums, cancellationToken).ConfigureAwait(false);
            await _histogramTimestamps.WriteAsync(group, schema.HistogramMessage, _histogramMessages, cancellationToken).ConfigureAwait(false);

            await _exemplarTimestamps.WriteAsync(group, schema.ExemplarTimestamp, cancellationToken).ConfigureAwait(false);
            await _exemplarTimestamps.WriteAsync(group, schema.ExemplarValue, _exemplarValues, cancellationToken).ConfigureAwait(false);
            await _exemplarLabelNames.WriteAsync(group, schema.ExemplarLabelName, cancellationToken).ConfigureAwait(false);
            await _exemplarLabelNames.WriteAsync(group, schema.ExemplarLabelValue, _exemplarLabelValues, cancellationToken).ConfigureAwait(false);

            await _types.WriteAsync(group, schema.MetricType, cancellationToken).ConfigureAwait(false);
            await _helps.WriteAsync(group, schema.MetricHelp, cancellationToken).ConfigureAwait(false);
            await _units.WriteAsync(group, schema.MetricUnit, cancellationToken).ConfigureAwait(false);
            group.CompleteValidate();
        }

        public void Dispose() => _scaleTrial?.Dispose();

        private void Clear()
        {
            _metricNames.Clear();
            _labelNames.Clear();
            _labelValues.Clear();
            _sampleTimestamps.Clear();
            _sampleValues.Clear();
            _sampleScaled.Clear();
            _valueDivisors.Clear();
            _sampleStarts.Clear();
            _histogramTimestamps.Clear();
            _histogramCounts.Clear();
            _histogramSums.Clear();
            _histogramMessages.Clear();
            _exemplarTimestamps.Clear();
            _exemplarValues.Clear();
            _exemplarLabelNames.Clear();
            _exemplarLabelValues.Clear();
            _types.Clear();
            _helps.Clear();
            _units.Clear();
        }

        private void AddLabels(LabelColumns labels)
        {
            if (labels.Names.Length == 0)
            {
                _labelNames.AddLevels(_labelPresent - 1, 0);
                return;
            }

            _labelNames.AddList(labels.Names, _labelPresent);
            _labelValues.AddRange(labels.Values);
        }

        private void AddLabels(Label[] labels)
        {
            var first = true;
            foreach (var label in labels)
            {
                if (label.Name == Label.MetricName)
                {
                    continue;
                }

                _labelNames.Add(Interned(label.Name), _labelPresent, first ? 0 : 1);
                _labelValues.Add(Interned(label.Value));
                first = false;
            }

            if (first)
            {
                _labelNames.AddLevels(_labelPresent - 1, 0);
            }
        }

        private void AddSamples(BlockRow row, BlockWriteSummary summary)
        {
            if (row.Columns is { } columns)
            {
                AddSamples(columns.Timestamps.Span, columns.Values.Span, columns.StartTimestamps.Span, summary);
                return;
            }

            // Rows of the shared model are turned into columns in reused scratch arrays.
            var samples = row.Samples;
            _scratchTimestamps.Clear();
            _scratchValues.Clear();
            _scratchStarts.Clear();
            foreach (ref readonly var sample in samples)
            {
                _scratchTimestamps.Add(sample.Timestamp);
                _scratchValues.Add(sample.Value);
                _scratchStarts.Add(sample.StartTimestamp);
            }

            AddSamples(_scratchTimestamps.Memory.Span, _scratchValues.Memory.Span, _scratchStarts.Memory.Span, summary);
        }

        private void AddSamples(ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values, ReadOnlySpan<long> starts, BlockWriteSummary summary)
        {
            if (timestamps.IsEmpty)
            {
                _sampleTimestamps.AddLevels(_elementPresent - 2, 0);
                _sampleValues.AddLevels(_elementPresent - 2, 0);
                _sampleScaled.AddLevels(_elementPresent - 2, 0);
                _sampleStarts.AddLevels(_elementPresent - 2, 0);
                _valueDivisors.AddLevels(0, 0);
                return;
            }

            _sampleTimestamps.AddList(timestamps, _elementPresent);
            var divisor = schema.HasScaledValues ? DecimalScale.DivisorOf(values, options.CommonFactor) : double.NaN;
            if (_scaleTrial is not null && !double.IsNaN(divisor) && !_scaleTrial.ScaledIsSmaller(values, divisor))
            {
                divisor = double.NaN;
            }

            var anyScaled = !double.IsNaN(divisor) && AddScaled(values, divisor);
            if (!anyScaled)
            {
                _sampleValues.AddList(values, _valuePresent);
                _sampleScaled.AddListLevels(_scaledPresent - 1, values.Length);
            }

            if (!starts.ContainsAnyExcept(0L))
            {
                // RW 1.0 never sends start timestamps: the whole list is NULL.
                _sampleStarts.AddListLevels(_startPresent - 1, starts.Length);
            }
            else
            {
                for (var i = 0; i < starts.Length; i++)
                {
                    var repetition = i == 0 ? 0 : 1;
                    if (starts[i] != 0)
                    {
                        _sampleStarts.Add(starts[i], _startPresent, repetition);
                    }
                    else
                    {
                        _sampleStarts.AddLevels(_startPresent - 1, repetition);
                    }
                }
            }

            if (anyScaled)
            {
                _valueDivisors.Add(divisor, 1, 0);
            }
            else
            {
                _valueDivisors.AddLevels(0, 0);
            }

            // Rows are in time order: the ends bound the whole list.
            summary.Include(timestamps[0]);
            summary.Include(timestamps[^1]);
            summary.Samples += timestamps.Length;
        }

        /// <summary>
        /// Adds the row's values over <paramref name="divisor"/>: those that scale to <c>scaled</c>,
        /// the rest to <c>value</c>. False, with nothing added, when none of them scales.
        /// </summary>
        private bool AddScaled(ReadOnlySpan<double> values, double divisor)
        {
            // Usually every value scales: the list goes in whole, without a branch per sample.
            var all = _scratchScaled.Reset(values.Length);
            var count = 0;
            for (var i = 0; i < values.Length; i++)
            {
                if (DecimalScale.TryScale(values[i], divisor, out all[i]))
                {
                    count++;
                }
            }

            if (count == values.Length)
            {
                _sampleScaled.AddList(all, _scaledPresent);
                _sampleValues.AddListLevels(_valuePresent - 1, values.Length);
                return true;
            }

            if (count == 0)
            {
                return false;
            }

            for (var i = 0; i < values.Length; i++)
            {
                var repetition = i == 0 ? 0 : 1;
                if (DecimalScale.TryScale(values[i], divisor, out var scaled))
                {
                    _sampleScaled.Add(scaled, _scaledPresent, repetition);
                    _sampleValues.AddLevels(_valuePresent - 1, repetition);
                }
                else
                {
                    _sampleValues.Add(values[i], _valuePresent, repetition);
                    _sampleScaled.AddLevels(_scaledPresent - 1, repetition);
                }
            }

            return true;
        }

        private void AddHistograms(ReadOnlySpan<HistogramSample> histograms, BlockWriteSummary summary)
        {
            if (histograms.IsEmpty)
            {
                _histogramTimestamps.AddLevels(_elementPresent - 2, 0);
                return;
            }

            for (var i = 0; i < histograms.Length; i++)
            {
                var histogram = histograms[i];
                var parsed = Histogram.Parser.ParseFrom(histogram.Message.Span);
                _histogramTimestamps.Add(histogram.Timestamp, _elementPresent, i == 0 ? 0 : 1);
                _histogramCounts.Add(parsed.CountCase == Histogram.CountOneofCase.CountFloat ? parsed.CountFloat : parsed.CountInt);
                _histogramSums.Add(parsed.Sum);
                _histogramMessages.Add(histogram.Message);
                summary.Include(histogram.Timestamp);
            }

            summary.Histograms += histograms.Length;
        }

        private void AddExemplars(ReadOnlySpan<Exemplar> exemplars, BlockWriteSummary summary)
        {
            if (exemplars.IsEmpty)
            {
                _exemplarTimestamps.AddLevels(_elementPresent - 2, 0);
                _exemplarLabelNames.AddLevels(_elementPresent - 2, 0);
                return;
            }

            for (var i = 0; i < exemplars.Length; i++)
            {
                var exemplar = exemplars[i];
                var repetition = i == 0 ? 0 : 1;
                _exemplarTimestamps.Add(exemplar.Timestamp, _elementPresent, repetition);
                _exemplarValues.Add(exemplar.Value);
                if (exemplar.Labels.Length == 0)
                {
                    _exemplarLabelNames.AddLevels(_exemplarLabelPresent - 1, repetition);
                }

                for (var j = 0; j < exemplar.Labels.Length; j++)
                {
                    _exemplarLabelNames.Add(Interned(exemplar.Labels[j].Name), _exemplarLabelPresent, j == 0 ? repetition : 2);
                    _exemplarLabelValues.Add(Interned(exemplar.Labels[j].Value));
                }

                summary.Include(exemplar.Timestamp);
            }

            summary.Exemplars += exemplars.Length;
        }

        /// <summary>
        /// One string instance per distinct text. Parquet.Net builds its dictionaries of
        /// ReadOnlyMemory&lt;char&gt; values, whose equality is by instance but whose hash is by
        /// text: equal labels held in different strings (every series read back from a block,
        /// every label set the compactor meets) would land in one hash chain and all become
        /// dictionary entries, quadratic in the labels of a row group and a larger dictionary.
        /// </summary>
        private ReadOnlyMemory<char> Interned(string text)
        {
            if (!_strings.TryGetValue(text, out var canonical))
            {
                _strings.Add(text);
                canonical = text;
            }

            return canonical.AsMemory();
        }

        private void AddMetadata(SeriesMetadata? metadata)
        {
            if (metadata is null)
            {
                _types.AddLevels(0, 0);
                _helps.AddLevels(0, 0);
                _units.AddLevels(0, 0);
                return;
            }

            _types.Add(SeriesMetadata.TypeName(metadata.Type).AsMemory(), 1, 0);
            _helps.Add(Interned(metadata.Help), 1, 0);
            _units.Add(Interned(metadata.Unit), 1, 0);
        }
    }

    /// <summary>A leaf column's defined values with the definition and repetition level of every entry.</summary>
    private sealed class LevelledColumn<T>
        where T : struct
    {
        private readonly ColumnBuffer<T> _values = new();
        private readonly ColumnBuffer<int> _definitions = new();
        private readonly ColumnBuffer<int> _repetitions = new();

        public ReadOnlySpan<T> Values => _values.Memory.Span;

        public void Clear()
        {
            _values.Clear();
            _definitions.Clear();
            _repetitions.Clear();
        }

        public void Add(T value, int definition, int repetition)
        {
            _values.Add(value);
            AddLevels(definition, repetition);
        }

        /// <summary>Appends a whole list: every entry present, the first starting a new row.</summary>
        public void AddList(ReadOnlySpan<T> values, int definition)
        {
            _values.AddRange(values);
            _definitions.AddRepeated(definition, values.Length);
            _repetitions.Add(0);
            _repetitions.AddRepeated(1, values.Length - 1);
        }

        /// <summary>The levels of a whole list whose entries are all at <paramref name="definition"/> (absent leaves, say).</summary>
        public void AddListLevels(int definition, int count)
        {
            _definitions.AddRepeated(definition, count);
            _repetitions.Add(0);
            _repetitions.AddRepeated(1, count - 1);
        }

        public void AddLevels(int definition, int repetition)
        {
            _definitions.Add(definition);
            _repetitions.Add(repetition);
        }

        public Task WriteAsync(ParquetRowGroupWriter group, global::Parquet.Schema.DataField field, CancellationToken cancellationToken) =>
            WriteAsync(group, field, _values, cancellationToken);

        /// <summary>Writes a sibling leaf that has the same shape (levels) as this one but its own values.</summary>
        public Task WriteAsync<TOther>(ParquetRowGroupWriter group, global::Parquet.Schema.DataField field, ColumnBuffer<TOther> values, CancellationToken cancellationToken)
            where TOther : struct
        {
            ReadOnlyMemory<int>? definitions = field.MaxDefinitionLevel == 0 ? null : _definitions.Memory;
            ReadOnlyMemory<int>? repetitions = field.MaxRepetitionLevel == 0 ? null : _repetitions.Memory;
            return group.WriteAllPartsAsync(field, values.Memory, definitions, repetitions, cancellationToken);
        }
    }
}
