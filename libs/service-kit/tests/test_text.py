from service_kit.text import mask_name, mask_personal_data, mask_phone


def test_phones_and_id_numbers_in_free_text_are_masked():
    text = "联系电话13812345678，座机010-64001234，身份证110101195001011234"
    masked, changed = mask_personal_data(text)
    assert changed
    assert "13812345678" not in masked and "138****5678" in masked
    assert "64001234" not in masked and "010-****1234" in masked
    assert "110101195001011234" not in masked and "110*************4" in masked


def test_text_without_personal_data_is_left_alone():
    assert mask_personal_data("每周二送书") == ("每周二送书", False)


def test_contact_fields():
    assert mask_phone("138-1234-5678") == "138****5678"
    assert mask_name("王秀英") == "王**"
