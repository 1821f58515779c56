/// The gvt-rr journal format.
public enum JournalFormat {}
