using System.Runtime.InteropServices;

namespace PromLake.Log;

/// <summary>
/// Makes changes to a folder's entries durable. fsync on a file persists its
/// contents, not the directory entry that names it: a file created or renamed
/// just before a power cut can be missing afterwards unless its folder is
/// fsynced too. .NET cannot open a folder as a file, hence the libc calls.
/// </summary>
internal static partial class DurableDirectory
{
    /// <summary>Creates the folder and any missing parents, and makes each new entry durable.</summary>
    public static void Create(string path)
    {
        var missing = new List<string>();
        for (var folder = Path.GetFullPath(path); folder is not null && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
        {
            missing.Add(folder);
        }

        if (missing.Count == 0)
        {
            return;
        }

        Directory.CreateDirectory(path);
        foreach (var created in missing)
        {
            Flush(Path.GetDirectoryName(created)!);
        }
    }

    /// <summary>fsyncs the folder, so entries created, renamed or removed in it survive a crash.</summary>
    public static void Flush(string path)
    {
        // Windows offers no fsync of a folder; NTFS journals its metadata changes itself.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // O_RDONLY (0) is the one flag every Unix agrees on, and enough to fsync a folder.
        var descriptor = Open(path, 0);
        if (descriptor < 0)
        {
            throw new IOException($"Could not open the folder '{path}' to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"Could not flush the folder '{path}' to disk (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
