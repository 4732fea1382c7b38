using System.Buffers.Binary;
using System.IO.Hashing;
using FASTER.core;
using Microsoft.Win32.SafeHandles;

namespace PromLake.Log;

/// <summary>
/// Where a shard's FasterLog keeps its commit records (the committed address range
/// and commit number). A commit is durable once its record is; recovery trusts
/// nothing past the newest intact record.
/// </summary>
/// <remarks>
/// FASTER's default manager writes each commit to a new file and deletes the older
/// one, and never fsyncs the folder, so the newest commit file's directory entry
/// is not guaranteed to survive a power cut; at hundreds of commits a second it is
/// also a lot of file churn. This keeps one file with two fixed slots. A commit
/// overwrites the slot not holding the newest record and fsyncs it, so a crash can
/// tear only the slot being written (its checksum then fails) and recovery falls
/// back to the other slot: the previous commit, which is right, because the torn
/// one was never acknowledged.
/// It also fsyncs the shard folder before the first commit that covers a new
/// segment file, for the same reason: the segment's entry must outlive a crash.
/// </remarks>
internal sealed class CommitRecordFile : ILogCommitManager
{
    // A slot is one 4 KiB block, so rewriting one never touches the other.
    private const int SlotBytes = 4096;
    private const int HeaderBytes = 24;
    private const int MaxRecordBytes = SlotBytes - HeaderBytes;
    private const uint Magic = 0x4D43_4C50; // "PLCM"
    private const int FormatVersion = 1;

    private readonly object _sync = new();
    private readonly string _path;
    private readonly string _shardDirectory;
    private readonly int _segmentSizeBits;
    private readonly SafeFileHandle _file;
    private readonly byte[] _slotBuffer = new byte[SlotBytes];
    private readonly Slot?[] _slots = new Slot?[2];
    private readonly TaskCompletionSource _failure = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _newestSlot = -1;
    private long _durableSegment = -1;
    private Exception? _failed;

    public CommitRecordFile(string path, string shardDirectory, int segmentSizeBits)
    {
        _path = path;
        _shardDirectory = shardDirectory;
        _segmentSizeBits = segmentSizeBits;

        var created = !File.Exists(path);
        _file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            if (created)
            {
                // Sized up front so a commit never changes the file's length, only its blocks.
                RandomAccess.SetLength(_file, 2 * SlotBytes);
                RandomAccess.FlushToDisk(_file);
                DurableDirectory.Flush(shardDirectory);
            }

            Load();
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Faults when a commit record could not be written. FASTER writes records on a
    /// worker that swallows exceptions, so without this a failed fsync would leave
    /// every publisher waiting for a commit that never completes.
    /// </summary>
    public Task Failure => _failure.Task;

    public void Commit(long beginAddress, long untilAddress, byte[] commitMetadata, long commitNum, bool forceWriteMetadata)
    {
        lock (_sync)
        {
            if (_failed is not null)
            {
                throw new IOException($"An earlier commit record write to '{_path}' failed", _failed);
            }

            try
            {
                MakeNewSegmentsDurable(untilAddress);
                var target = _newestSlot == 0 ? 1 : 0;
                WriteSlot(target, commitNum, commitMetadata);
                _slots[target] = new Slot(commitNum, commitMetadata);
                _newestSlot = target;
            }
            catch (Exception e)
            {
                // After a failed fsync the kernel may already have dropped the unwritten
                // pages, so retrying could report success for data that is gone.
                _failed = e;
                _failure.TrySetException(new IOException($"Could not write the commit record to '{_path}'", e));
                throw;
            }
        }
    }

    public byte[]? GetCommitMetadata(long commitNum)
    {
        lock (_sync)
        {
            foreach (var slot in _slots)
            {
                if (slot is { } found && found.CommitNum == commitNum)
                {
                    return found.Metadata.AsSpan().ToArray();
                }
            }

            return null;
        }
    }

    public IEnumerable<long> ListCommits()
    {
        lock (_sync)
        {
            var commits = new List<long>(2);
            foreach (var slot in _slots)
            {
                if (slot is { } found)
                {
                    commits.Add(found.CommitNum);
                }
            }

            commits.Sort((a, b) => b.CompareTo(a));
            return commits;
        }
    }

    public void RemoveCommit(long commitNum)
    {
        lock (_sync)
        {
            for (var index = 0; index < _slots.Length; index++)
            {
                if (_slots[index] is { } found && found.CommitNum == commitNum)
                {
                    ClearSlot(index);
                }
            }
        }
    }

    public void RemoveAllCommits()
    {
        lock (_sync)
        {
            ClearSlot(0);
            ClearSlot(1);
        }
    }

    public void OnRecovery(long commitNum)
    {
    }

    public void Dispose() => _file.Dispose();

    private void Load()
    {
        var damaged = 0;
        for (var index = 0; index < _slots.Length; index++)
        {
            var state = ReadSlot(index, out var slot);
            if (state == SlotState.Damaged)
            {
                damaged++;
            }
            else if (state == SlotState.Valid)
            {
                _slots[index] = slot;
                if (_newestSlot < 0 || slot.CommitNum > _slots[_newestSlot]!.Value.CommitNum)
                {
                    _newestSlot = index;
                }
            }
        }

        // Only the slot being written can tear, so two damaged slots mean the file
        // itself was damaged. Starting empty would overwrite committed events.
        if (damaged == 2)
        {
            throw new InvalidDataException(
                $"Both commit records in '{_path}' are damaged; refusing to open the shard, which would overwrite its committed events");
        }
    }

    private SlotState ReadSlot(int index, out Slot slot)
    {
        slot = default;
        var buffer = new byte[SlotBytes];
        var read = RandomAccess.Read(_file, buffer, (long)index * SlotBytes);
        var span = buffer.AsSpan(0, read);
        if (read < HeaderBytes || !span.ContainsAnyExcept((byte)0))
        {
            return SlotState.Empty;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(span[16..]);
        if (BinaryPrimitives.ReadUInt32LittleEndian(span) != Magic
            || BinaryPrimitives.ReadInt32LittleEndian(span[20..]) != FormatVersion
            || length is < 0 or > MaxRecordBytes
            || read < HeaderBytes + length
            || BinaryPrimitives.ReadUInt32LittleEndian(span[4..]) != Crc32.HashToUInt32(span[8..(HeaderBytes + length)]))
        {
            return SlotState.Damaged;
        }

        slot = new Slot(BinaryPrimitives.ReadInt64LittleEndian(span[8..]), span.Slice(HeaderBytes, length).ToArray());
        return SlotState.Valid;
    }

    // Layout: magic, CRC-32 of everything after it, commit number, record length, format version, record.
    private void WriteSlot(int index, long commitNum, byte[] record)
    {
        if (record.Length > MaxRecordBytes)
        {
            throw new InvalidOperationException($"A commit record of {record.Length} bytes does not fit a {SlotBytes}-byte slot");
        }

        var span = _slotBuffer.AsSpan();
        span.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], commitNum);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], record.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], FormatVersion);
        record.CopyTo(span[HeaderBytes..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Crc32.HashToUInt32(span[8..(HeaderBytes + record.Length)]));

        RandomAccess.Write(_file, _slotBuffer, (long)index * SlotBytes);
        RandomAccess.FlushToDisk(_file);
    }

    private void ClearSlot(int index)
    {
        Array.Clear(_slotBuffer);
        RandomAccess.Write(_file, _slotBuffer, (long)index * SlotBytes);
        RandomAccess.FlushToDisk(_file);
        _slots[index] = null;
        if (_newestSlot == index)
        {
            _newestSlot = _slots[1 - index] is null ? -1 : 1 - index;
        }
    }

    private void MakeNewSegmentsDurable(long untilAddress)
    {
        var lastSegment = (untilAddress - 1) >> _segmentSizeBits;
        if (lastSegment > _durableSegment)
        {
            DurableDirectory.Flush(_shardDirectory);
            _durableSegment = lastSegment;
        }
    }

    private enum SlotState
    {
        Empty,
        Valid,
        Damaged,
    }

    private readonly record struct Slot(long CommitNum, byte[] Metadata);
}
