// `pinpipe query "SQL" [--format table|csv|json]`: ad-hoc SQL on the
// warehouse, read-only unless --allow-write. Tables are aligned and end with
// a row count; database errors are printed as the database wrote them.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "pin/pin.h"
#include "sinks/warehouse.h"

namespace pinpipe::cli {
namespace {

constexpr char kQueryCommand[] = "query";

struct QueryFlags {
  std::string sql;
  std::string warehouse;
  std::string format = "table";
  bool allow_write = false;
  size_t max_width = 60;
};

using Type = sinks::QueryValue::Type;

size_t DisplayWidth(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // code points
  return n;
}

// One line per cell: control characters escaped, cut at `max` code points.
std::string TableCell(const sinks::QueryValue& v, size_t max) {
  if (v.type == Type::kNull) return "NULL";
  bool cut = max > 0 && DisplayWidth(v.text) > max;
  size_t keep = cut ? max - 1 : v.text.size();
  std::string out;
  size_t width = 0;
  for (char ch : v.text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80 && width++ == keep) break;
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out.push_back(ch);
    }
  }
  if (cut) out += "…";
  return out;
}

class TablePrinter final : public sinks::QueryResultSink {
 public:
  explicit TablePrinter(size_t max_width) : max_width_(max_width) {}
  ~TablePrinter() override { Flush(); }
  Status Columns(const std::vector<std::string>& names) override {
    Flush();
    names_ = names;
    numeric_.assign(names.size(), true);
    started_ = true;
    return Status::Ok();
  }
  Status Row(std::span<const sinks::QueryValue> values) override {
    std::vector<std::string> row;
    for (size_t i = 0; i < values.size(); ++i) {
      row.push_back(TableCell(values[i], max_width_));
      if (values[i].type != Type::kInteger && values[i].type != Type::kReal && values[i].type != Type::kNull) {
        numeric_[i] = false;
      }
    }
    rows_.push_back(std::move(row));
    return Status::Ok();
  }
  // Prints the result set held so far.
  void Flush() {
    if (!started_) return;
    std::vector<size_t> width(names_.size());
    for (size_t i = 0; i < names_.size(); ++i) width[i] = DisplayWidth(names_[i]);
    for (const auto& row : rows_) {
      for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], DisplayWidth(row[i]));
    }
    auto line = [&](const std::vector<std::string>& cells, bool header) {
      std::string out;
      for (size_t i = 0; i < cells.size(); ++i) {
        std::string pad(width[i] - DisplayWidth(cells[i]), ' ');
        if (i > 0) out += " | ";
        out += (!header && numeric_[i]) ? pad + cells[i] : cells[i] + pad;
      }
      while (!out.empty() && out.back() == ' ') out.pop_back();
      std::cout << out << '\n';
    };
    line(names_, true);
    std::string rule;
    for (size_t i = 0; i < width.size(); ++i) rule += (i > 0 ? "-+-" : "") + std::string(width[i], '-');
    std::cout << rule << '\n';
    for (const auto& row : rows_) line(row, false);
    std::cout << "(" << rows_.size() << (rows_.size() == 1 ? " row)" : " rows)") << "\n";
    rows_.clear();
    started_ = false;
  }

 private:
  size_t max_width_;
  bool started_ = false;
  std::vector<std::string> names_;
  std::vector<bool> numeric_;  // right-aligned columns
  std::vector<std::vector<std::string>> rows_;
};

// RFC 4180; NULL is an empty field. A blank line separates result sets.
class CsvPrinter final : public sinks::QueryResultSink {
 public:
  Status Columns(const std::vector<std::string>& names) override {
    if (sets_++ > 0) std::cout << '\n';
    std::vector<sinks::QueryValue> header;
    for (const auto& n : names) header.push_back({Type::kText, n});
    return Row(header);
  }
  Status Row(std::span<const sinks::QueryValue> values) override {
    std::string out;
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out.push_back(',');
      const std::string& t = values[i].text;
      if (t.find_first_of(",\"\r\n") == std::string::npos) {
        out += t;
        continue;
      }
      out.push_back('"');
      for (char c : t) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
      }
      out.push_back('"');
    }
    std::cout << out << "\r\n";
    return Status::Ok();
  }

 private:
  int sets_ = 0;
};

// One JSON array of objects per result set, one object per line.
class JsonPrinter final : public sinks::QueryResultSink {
 public:
  ~JsonPrinter() override { Close(); }
  Status Columns(const std::vector<std::string>& names) override {
    Close();
    names_ = names;
    std::cout << '[';
    open_ = true;
    first_ = true;
    return Status::Ok();
  }
  Status Row(std::span<const sinks::QueryValue> values) override {
    std::string out = first_ ? "\n{" : ",\n{";
    first_ = false;
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out.push_back(',');
      pin::AppendJsonString(names_[i], &out);
      out.push_back(':');
      const auto& v = values[i];
      bool finite_number = v.type == Type::kInteger ||
                           (v.type == Type::kReal && v.text.find_first_of("nN") == std::string::npos);
      if (v.type == Type::kNull) {
        out += "null";
      } else if (finite_number) {
        out += v.text;
      } else {
        pin::AppendJsonString(v.text, &out);
      }
    }
    out.push_back('}');
    std::cout << out;
    return Status::Ok();
  }
  void Close() {
    if (open_) std::cout << (first_ ? "]\n" : "\n]\n");
    open_ = false;
  }

 private:
  std::vector<std::string> names_;
  bool open_ = false;
  bool first_ = true;
};

int RunQuery(const QueryFlags& flags, const GlobalOptions& globals) {
  std::string sql = flags.sql;
  if (sql == "-") sql.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  if (sql.find_first_not_of(" \t\r\n;") == std::string::npos) {
    return UsageError(kQueryCommand, "give the SQL to run, e.g. pinpipe query \"SELECT count(*) FROM pins\"");
  }
  std::string url = flags.warehouse.empty() ? DefaultWarehouseUrl(globals) : flags.warehouse;
  auto warehouse = sinks::OpenWarehouse(url, {.read_only = !flags.allow_write});
  if (!warehouse.ok()) return ReportError(kQueryCommand, warehouse.status().WithContext("opening --warehouse " + url));

  std::unique_ptr<sinks::QueryResultSink> printer;
  if (flags.format == "csv") {
    printer = std::make_unique<CsvPrinter>();
  } else if (flags.format == "json") {
    printer = std::make_unique<JsonPrinter>();
  } else {
    printer = std::make_unique<TablePrinter>(flags.max_width);
  }
  Status st = (*warehouse)->Query(sql, printer.get());
  printer.reset();  // prints what the statements returned before any error
  std::cout.flush();
  if (!st.ok()) {
    std::string message = st.message();
    if (!flags.allow_write && message.find("readonly") != std::string::npos) {
      message += " (pinpipe query is read-only; pass --allow-write to change data)";
    }
    // The database's words, as they are; a runtime failure (exit 1).
    std::fprintf(stderr, "pinpipe query: %s\n", message.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

std::pair<CLI::App*, RunFn> SetupQuery(CLI::App& app, const GlobalOptions& globals) {
  auto flags = std::make_shared<QueryFlags>();
  CLI::App* sub = app.add_subcommand(kQueryCommand, "Ad-hoc SQL on the warehouse (tables pins, pins_rejected)");
  sub->add_option("sql", flags->sql, "SQL to run (one or more statements; '-' reads it from stdin)");
  sub->add_option("--format", flags->format, "Output: table (aligned, with a row count), csv, json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  sub->add_option("--warehouse", flags->warehouse,
                  "Warehouse URL: sqlite:<path> (default sqlite:<data-dir>/warehouse.db)");
  sub->add_flag("--allow-write", flags->allow_write, "Open read-write (default: read-only)");
  sub->add_option("--max-width", flags->max_width, "Table format: cut cells at this many characters (0: never)")
      ->capture_default_str();
  sub->footer(
      "Example:\n"
      "  pinpipe query \"SELECT category, count(*) AS pins FROM pins WHERE dt = '2026-11-26' GROUP BY 1 ORDER BY 2 DESC\"\n"
      "  pinpipe query --format csv \"SELECT * FROM pins_rejected\" > rejects.csv");
  return {sub, [flags, &globals] { return RunQuery(*flags, globals); }};
}

PINPIPE_REGISTER_COMMAND(80, SetupQuery);

}  // namespace
}  // namespace pinpipe::cli
