using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace PromLake.Log;

/// <summary>
/// Consumers' checkpoints for the local log, one tiny text file per consumer and
/// shard: <c>{Directory}/checkpoints/{consumer}/shard-NNN</c> holding the position.
/// A commit replaces the file atomically (temp file, fsync, rename over the old
/// one, fsync the folder), so a crash leaves the old position or the new one,
/// never a torn file.
/// </summary>
public sealed class LocalCheckpointStore : ICheckpointStore
{
    private const string CheckpointsFolder = "checkpoints";
    private const string TempSuffix = ".tmp";
    private const int MaxConsumerLength = 100;

    private static readonly SearchValues<char> ConsumerNameCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    private readonly string _root;
    private readonly int _shardCount;

    // Serialises commits of one checkpoint, so "never backwards" is a read-compare-write without races.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    public LocalCheckpointStore(LocalLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _root = Path.Combine(Path.GetFullPath(options.Directory), CheckpointsFolder);
        _shardCount = options.ShardCount;
    }

    public ValueTask<long?> GetAsync(string consumer, int shard, CancellationToken cancellationToken = default)
    {
        var path = CheckpointPath(consumer, shard);
        return ReadAsync(path, cancellationToken);
    }

    public ValueTask CommitAsync(string consumer, int shard, long position, CancellationToken cancellationToken = default)
    {
        var path = CheckpointPath(consumer, shard);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        return CommitCoreAsync(path, position, cancellationToken);
    }

    private async ValueTask CommitCoreAsync(string path, long position, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(path, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Equal or older positions come from retries and restarts of the consumer;
            // dropping them is what keeps the checkpoint from moving backwards.
            if (await ReadAsync(path, cancellationToken).ConfigureAwait(false) >= position)
            {
                return;
            }

            var folder = Path.GetDirectoryName(path)!;
            DurableDirectory.Create(folder);
            var temp = path + TempSuffix;
            var bytes = Encoding.ASCII.GetBytes(position.ToString(CultureInfo.InvariantCulture) + "\n");
            await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous))
            {
                await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                // The rename must not publish a file whose contents are still only in the page cache.
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
            DurableDirectory.Flush(folder);
        }
        finally
        {
            gate.Release();
        }
    }

    private string CheckpointPath(string consumer, int shard)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        if (consumer.Length > MaxConsumerLength || consumer is "." or ".." || consumer.AsSpan().ContainsAnyExcept(ConsumerNameCharacters))
        {
            throw new ArgumentException(
                $"The consumer name '{consumer}' is not usable as a folder name: use up to {MaxConsumerLength} letters, digits, '.', '-' or '_'",
                nameof(consumer));
        }

        if ((uint)shard >= (uint)_shardCount)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard, $"The log has shards 0 to {_shardCount - 1}");
        }

        return Path.Combine(_root, consumer, LocalFileLog.ShardFolderName(shard));
    }

    private static async ValueTask<long?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, Encoding.ASCII, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        if (!long.TryParse(text.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            throw new InvalidDataException($"The checkpoint file '{path}' does not hold a position");
        }

        return position;
    }
}
