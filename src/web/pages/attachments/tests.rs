use super::*;

#[test]
fn types_come_from_the_content() {
    assert_eq!(file_type_of(b"%PDF-1.4\n", "x.exe"), Ok(FileType::Pdf));
    assert_eq!(
        file_type_of(b"\x89PNG\r\n\x1a\n....", "photo.jpg"),
        Ok(FileType::Png)
    );
    assert_eq!(
        file_type_of(b"\xFF\xD8\xFF\xE0..JFIF", "scan"),
        Ok(FileType::Jpeg)
    );
    assert_eq!(
        file_type_of(b"MZ\x90\x00\x03", "photo.jpg"),
        Err("evidence.error.executable")
    );
    assert_eq!(
        file_type_of(b"\x7FELF\x02\x01", "rapport.pdf"),
        Err("evidence.error.executable")
    );
    assert_eq!(
        file_type_of(b"<html><script>", "page.pdf"),
        Err("evidence.error.unknown_type")
    );
    let ole2 = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest";
    assert_eq!(file_type_of(ole2, "budget.XLS"), Ok(FileType::Xls));
    assert_eq!(
        file_type_of(ole2, "setup.msi"),
        Err("evidence.error.unknown_type")
    );
}

fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn office_documents_say_what_they_are() {
    let docx = zip_of(&[(
        "[Content_Types].xml",
        "<Override ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>",
    )]);
    assert_eq!(file_type_of(&docx, "a.zip"), Ok(FileType::Docx));
    let odt = zip_of(&[("mimetype", "application/vnd.oasis.opendocument.text")]);
    assert_eq!(file_type_of(&odt, "a"), Ok(FileType::Odt));
    let docm = zip_of(&[(
        "[Content_Types].xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
    )]);
    assert_eq!(file_type_of(&docm, "a.docx"), Err("evidence.error.macros"));
    let plain = zip_of(&[("notes.txt", "bonjour")]);
    assert_eq!(
        file_type_of(&plain, "a.docx"),
        Err("evidence.error.unknown_type")
    );
}

#[test]
fn links_are_http_or_https_to_a_host() {
    assert!(parse_link("https://anaser.ml/rapport.pdf").is_ok());
    assert!(parse_link("HTTP://exemple.ml:8080/x?y=1#z").is_ok());
    for bad in [
        "javascript:alert(1)",
        "ftp://exemple.ml",
        "https://",
        "https://ministere.ml@ailleurs.example/",
        "https://exemple.ml/un espace",
        "data:text/html,<b>",
    ] {
        assert_eq!(parse_link(bad), Err("evidence.error.bad_link"), "{bad}");
    }
}

#[test]
fn shown_names_lose_their_path() {
    assert_eq!(shown_file_name("C:\\Users\\x\\photo.jpg"), "photo.jpg");
    assert_eq!(shown_file_name("  "), "piece");
    assert_eq!(shown_file_name(&"é".repeat(300)).chars().count(), 255);
}
